"""Every customer query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Select, and_, exists, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import NullType

from siyu.customers.models import (
    Customer,
    FollowRelation,
    RelationTag,
    Tag,
    TagGroup,
    TimelineEvent,
)
from siyu.customers.schemas import CustomerFilter
from siyu.customers.stage_models import CustomerStage, CustomerStageState
from siyu.db.repository import among, scoped
from siyu.employees.service import display_names


def _tagged(corp_id: int, tag_ids: Sequence[str]) -> Select[Any]:
    """Ids of the customers with one of the tags on a live follow relation (the index
    ``(corp_id, tag_id)`` finds the tag's rows; the relation is read by its key)."""
    return (
        select(RelationTag.customer_id)
        .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
        .where(
            RelationTag.corp_id == corp_id,
            RelationTag.tag_id.in_(list(tag_ids)),
            FollowRelation.deleted_at.is_(None),
        )
    )


def _followed(corp_id: int, *conds: Any, live: bool = True) -> Select[Any]:
    """Ids of the customers with a follow relation (a live one with ``live``) matching conds."""
    stmt = select(FollowRelation.customer_id).where(FollowRelation.corp_id == corp_id, *conds)
    return stmt.where(FollowRelation.deleted_at.is_(None)) if live else stmt


def in_scope(corp_id: int, visible_userids: frozenset[str], *, include_deleted: bool) -> Any:
    """A customer followed by one of ``visible_userids`` (a principal's data scope)."""
    conds = [
        FollowRelation.corp_id == corp_id,
        FollowRelation.customer_id == Customer.id,
        FollowRelation.userid.in_(sorted(visible_userids)),
    ]
    if not include_deleted:
        conds.append(FollowRelation.deleted_at.is_(None))
    return exists().where(*conds)


def filtered(
    corp_id: int, f: CustomerFilter, *, visible_userids: frozenset[str] | None = None
) -> Select[Any]:
    """``SELECT customers`` of the corp matching the filter (within a data scope if given).

    The same selection as the customer list, which the segment engine answers from its bitmaps
    (``siyu.segments.customer_list``): tags on live relations only, and each relation filter
    (employee, add way, channel state) on any live relation of the customer. Every condition is
    an uncorrelated ``IN (SELECT customer_id ...)`` that an index answers once, never a probe per
    customer.
    """
    stmt = scoped(Customer, corp_id)
    if visible_userids is not None:
        scope = FollowRelation.userid.in_(sorted(visible_userids))
        stmt = stmt.where(Customer.id.in_(_followed(corp_id, scope, live=not f.include_deleted)))
    if not f.include_deleted:
        stmt = stmt.where(Customer.deleted_at.is_(None))
    if f.tags_any:
        stmt = stmt.where(Customer.id.in_(_tagged(corp_id, f.tags_any)))
    for tag in dict.fromkeys(f.tags_all):
        stmt = stmt.where(Customer.id.in_(_tagged(corp_id, [tag])))
    if f.tags_none:
        stmt = stmt.where(Customer.id.not_in(_tagged(corp_id, f.tags_none)))
    if f.userid:
        stmt = stmt.where(Customer.id.in_(_followed(corp_id, FollowRelation.userid == f.userid)))
    if f.add_way is not None:
        stmt = stmt.where(Customer.id.in_(_followed(corp_id, FollowRelation.add_way == f.add_way)))
    if f.state:
        stmt = stmt.where(Customer.id.in_(_followed(corp_id, FollowRelation.state == f.state)))
    if f.stage_id is not None:
        staged = select(CustomerStageState.customer_id).where(
            CustomerStageState.corp_id == corp_id, CustomerStageState.stage_id == f.stage_id
        )
        stmt = stmt.where(Customer.id.in_(staged))
    if f.added_from:
        stmt = stmt.where(Customer.first_added_at >= f.added_from)
    if f.added_to:
        stmt = stmt.where(Customer.first_added_at < f.added_to)
    if f.keyword:
        like = f"%{f.keyword}%"
        remarks = or_(FollowRelation.remark.like(like), FollowRelation.description.like(like))
        stmt = stmt.where(
            or_(Customer.name.like(like), Customer.id.in_(_followed(corp_id, remarks, live=False)))
        )
    return stmt


async def relations_of(
    session: AsyncSession, corp_id: int, customer_ids: Sequence[int], *, live_only: bool
) -> dict[int, list[FollowRelation]]:
    out: dict[int, list[FollowRelation]] = defaultdict(list)
    if not customer_ids:
        return out
    stmt = scoped(FollowRelation, corp_id).where(FollowRelation.customer_id.in_(customer_ids))
    if live_only:
        stmt = stmt.where(FollowRelation.deleted_at.is_(None))
    for rel in (await session.scalars(stmt.order_by(FollowRelation.id))).all():
        out[rel.customer_id].append(rel)
    return out


async def tags_of_relations(
    session: AsyncSession, corp_id: int, relation_ids: Sequence[int]
) -> dict[int, list[tuple[str, str, str]]]:
    """relation id → [(tag_id, tag name, group name)] (names empty for unknown tags)."""
    out: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    if not relation_ids:
        return out
    rows = await session.execute(
        select(RelationTag.relation_id, RelationTag.tag_id, Tag.name, TagGroup.name)
        .outerjoin(Tag, and_(Tag.corp_id == corp_id, Tag.tag_id == RelationTag.tag_id))
        .outerjoin(TagGroup, TagGroup.id == Tag.group_pk)
        .where(RelationTag.corp_id == corp_id, RelationTag.relation_id.in_(relation_ids))
        .order_by(RelationTag.tag_id)
    )
    for rid, tid, name, group in rows.all():
        out[rid].append((tid, name or "", group or ""))
    return out


async def by_id(
    session: AsyncSession,
    corp_id: int,
    customer_id: int,
    *,
    visible_userids: frozenset[str] | None = None,
) -> Customer | None:
    stmt = scoped(Customer, corp_id).where(Customer.id == customer_id)
    if visible_userids is not None:
        stmt = stmt.where(in_scope(corp_id, visible_userids, include_deleted=True))
    return await session.scalar(stmt)


async def by_external_id(session: AsyncSession, corp_id: int, ext: str) -> Customer | None:
    return await session.scalar(scoped(Customer, corp_id).where(Customer.external_userid == ext))


async def timeline(
    session: AsyncSession,
    corp_id: int,
    customer_id: int,
    *,
    limit: int = 200,
    visible: frozenset[str] | None = None,
) -> list[TimelineEvent]:
    """The newest entries of a customer's timeline; within a data scope (``visible``) the
    entries of other employees' relations are left out (entries of no employee stay)."""
    stmt = scoped(TimelineEvent, corp_id).where(TimelineEvent.customer_id == customer_id)
    if visible is not None:
        stmt = stmt.where(
            or_(TimelineEvent.userid == "", TimelineEvent.userid.in_(sorted(visible)))
        )
    stmt = stmt.order_by(TimelineEvent.occurred_at.desc(), TimelineEvent.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())


async def tag_names(
    session: AsyncSession, corp_id: int, tag_ids: Sequence[str]
) -> dict[str, tuple[str, str]]:
    """tag id → (tag name, group name) for the corp tags that exist."""
    wanted = sorted(set(tag_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(Tag.tag_id, Tag.name, TagGroup.name)
        .outerjoin(TagGroup, TagGroup.id == Tag.group_pk)
        .where(Tag.corp_id == corp_id, Tag.tag_id.in_(wanted))
    )
    return {t: (n or "", g or "") for t, n, g in rows.all()}


async def employee_names(
    session: AsyncSession, corp_id: int, userids: Sequence[str]
) -> dict[str, str]:
    """userid → display name (department beside a shared name; see ``employees.service``)."""
    return await display_names(session, corp_id, userids)


async def stages_of(
    session: AsyncSession, corp_id: int, customer_ids: Sequence[int]
) -> dict[int, CustomerStage]:
    """customer id → current lifecycle stage (customers without a stage are absent)."""
    if not customer_ids:
        return {}
    rows = await session.execute(
        select(CustomerStageState.customer_id, CustomerStage)
        .join(CustomerStage, CustomerStage.id == CustomerStageState.stage_id)
        .where(
            CustomerStageState.corp_id == corp_id,
            CustomerStageState.customer_id.in_(list(customer_ids)),
        )
    )
    return {cid: stage for cid, stage in rows.all()}


async def customer_counts(
    session: AsyncSession, corp_id: int, userids: Sequence[str]
) -> dict[str, int]:
    """userid → how many live follow relations (customers) the employee has."""
    if not userids:
        return {}
    rows = await session.execute(
        select(FollowRelation.userid, func.count())
        .where(
            FollowRelation.corp_id == corp_id,
            FollowRelation.userid.in_(list(userids)),
            FollowRelation.deleted_at.is_(None),
        )
        .group_by(FollowRelation.userid)
    )
    return {u: int(n) for u, n in rows.all()}


# -- exports: plain rows, no ORM objects (an export reads every matching customer) --------------

EXPORT_COLUMNS = (
    Customer.id,
    Customer.external_userid,
    Customer.name,
    Customer.type,
    Customer.gender,
    Customer.corp_name,
    # the driver's value (SQLite: text, PostgreSQL: an aware datetime): see ``as_utc``
    type_coerce(Customer.first_added_at, NullType()),
    type_coerce(Customer.deleted_at, NullType()),
)


def as_utc(value: Any) -> datetime | None:
    """A time of ``EXPORT_COLUMNS`` as an aware UTC datetime (parsing SQLite's text with the C
    parser costs a tenth of the column type's)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _added_order(added: Literal["asc", "desc"] | None) -> tuple[Any, ...]:
    if added is None:
        return ()
    first, ident = Customer.first_added_at, Customer.id
    if added == "desc":
        return (first.is_(None), first.desc(), ident.desc())
    return (first.is_(None), first.asc(), ident.asc())


TAG_SEP = "\x1f"  # joins a relation's tag ids in one column (tag ids are WeCom ids: no controls)


async def export_facts(
    session: AsyncSession,
    corp_id: int,
    customer_ids: Sequence[int] = (),
    *,
    seqs: Sequence[int] = (),
    added: Literal["asc", "desc"] | None = None,
) -> tuple[list[Any], list[Any]]:
    """For these customers (by id, or by ``seqs``): their columns and current stage id, and
    their live relations ``(customer_id, userid, remark, tag ids joined by TAG_SEP or None)`` in
    relation order. Two statements, one row per customer and per relation (the tags are
    aggregated in SQL). ``added``: the customers in the list's order by first add (customers
    without one last), then id, in that direction; the database sorts them."""
    if not customer_ids and not seqs:
        return [], []
    dialect = session.get_bind().dialect.name
    which = (
        among(Customer.id, customer_ids, dialect)
        if customer_ids
        else among(Customer.seq, seqs, dialect)
    )
    conn = await session.connection()  # Core rows: nothing to load into the ORM
    customers = (
        await conn.execute(
            select(*EXPORT_COLUMNS, CustomerStageState.stage_id)
            .outerjoin(CustomerStageState, CustomerStageState.customer_id == Customer.id)
            .where(Customer.corp_id == corp_id, which)
            .order_by(*_added_order(added))
        )
    ).all()
    ids = [c[0] for c in customers]
    if not ids:
        return [], []
    join = func.string_agg if dialect == "postgresql" else func.group_concat
    tags = (
        select(join(RelationTag.tag_id, TAG_SEP))
        .where(RelationTag.relation_id == FollowRelation.id)
        .scalar_subquery()
    )
    relations = (
        await conn.execute(
            select(FollowRelation.customer_id, FollowRelation.userid, FollowRelation.remark, tags)
            .where(
                FollowRelation.corp_id == corp_id,
                among(FollowRelation.customer_id, ids, dialect),
                FollowRelation.deleted_at.is_(None),
            )
            .order_by(FollowRelation.id)
        )
    ).all()
    return list(customers), list(relations)


async def corp_tags(session: AsyncSession, corp_id: int) -> dict[str, tuple[str, str]]:
    """tag id → (tag name, group name) of every tag of the corp (deleted ones too)."""
    rows = await session.execute(
        select(Tag.tag_id, Tag.name, TagGroup.name)
        .outerjoin(TagGroup, TagGroup.id == Tag.group_pk)
        .where(Tag.corp_id == corp_id)
    )
    return {t: (n or "", g or "") for t, n, g in rows.all()}


async def corp_stages(session: AsyncSession, corp_id: int) -> dict[int, str]:
    rows = await session.execute(
        scoped(CustomerStage, corp_id, CustomerStage.id, CustomerStage.name)
    )
    return {i: n for i, n in rows.all()}
