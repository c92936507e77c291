"""Every segment query: facts for the bitmaps, SQL fallback terms, saved rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from pyroaring import BitMap
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import ChannelCode, CustomerOwner
from siyu.customers.models import Customer, FollowRelation, RelationTag, Tag, TimelineEvent
from siyu.customers.stage_models import CustomerStage, CustomerStageState
from siyu.db.repository import scoped
from siyu.employees.models import Department, Employee
from siyu.segments.index import Facts

CHUNK = 900  # bound parameters per IN list (SQLite allows 32766, PostgreSQL 65535)
RESTRICT_MAX = 20_000  # above this many candidates a fallback term scans the corp instead


def _chunks(values: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


async def load_facts(
    session: AsyncSession, corp_id: int, customer_ids: Sequence[int] | None = None
) -> tuple[Facts, list[int]]:
    """Facts of the given customers (all of the corp for None) and their seqs."""
    facts = Facts()
    seqs: list[int] = []
    parts: list[Sequence[int] | None] = (
        [None] if customer_ids is None else list(_chunks(sorted(customer_ids)))
    )
    for part in parts:
        cust = select(
            Customer.seq,
            Customer.gender,
            Customer.type,
            Customer.deleted_at,
            Customer.first_added_at,
        ).where(Customer.corp_id == corp_id)
        rel = (
            select(
                Customer.seq, FollowRelation.userid, FollowRelation.state, FollowRelation.add_way
            )
            .join(Customer, Customer.id == FollowRelation.customer_id)
            .where(FollowRelation.corp_id == corp_id, FollowRelation.deleted_at.is_(None))
        )
        tag = (
            select(Customer.seq, RelationTag.tag_id)
            .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
            .join(Customer, Customer.id == FollowRelation.customer_id)
            .where(FollowRelation.deleted_at.is_(None))
        )
        own = (
            select(Customer.seq, CustomerOwner.userid)
            .join(Customer, Customer.id == CustomerOwner.customer_id)
            .where(CustomerOwner.corp_id == corp_id)
        )
        stage = (
            select(Customer.seq, CustomerStageState.stage_id)
            .join(Customer, Customer.id == CustomerStageState.customer_id)
            .where(CustomerStageState.corp_id == corp_id)
        )
        if part is not None:
            own = own.where(CustomerOwner.customer_id.in_(part))
            stage = stage.where(CustomerStageState.customer_id.in_(part))
            cust = cust.where(Customer.id.in_(part))
            rel = rel.where(FollowRelation.customer_id.in_(part))
            # through the relations' (corp_id, customer_id, userid) key: with an indexed
            # relation_tags.corp_id filter the planners read every tag row of the corp for
            # each chunk (relation_tags has no customer index)
            tag = tag.where(FollowRelation.corp_id == corp_id, FollowRelation.customer_id.in_(part))
        else:
            tag = tag.where(RelationTag.corp_id == corp_id)
        async for seq, gender, ctype, deleted_at, first in await session.stream(cust):
            facts.customers.append((seq, gender, ctype, deleted_at is not None, first))
            seqs.append(seq)
        async for row in await session.stream(rel):
            facts.relations.append((row[0], row[1], row[2], row[3]))
        async for seq, tag_id in await session.stream(tag):
            facts.tags.append((seq, tag_id))
        async for seq, userid in await session.stream(own):
            facts.owners.append((seq, userid))
        async for seq, stage_id in await session.stream(stage):
            facts.stages.append((seq, stage_id))
    return facts, seqs


async def _seqs_restricted(
    session: AsyncSession, stmt: Select[Any], cand: BitMap, *, having: Any = None
) -> BitMap:
    """Run ``stmt`` (selecting ``Customer.seq``) restricted to the candidates."""
    out = BitMap()
    if len(cand) <= RESTRICT_MAX:
        for part in _chunks(list(cand)):
            s = stmt.where(Customer.seq.in_(part))
            s = s.group_by(Customer.seq).having(having) if having is not None else s.distinct()
            out.update((await session.scalars(s)).all())
        return out
    s = stmt.group_by(Customer.seq).having(having) if having is not None else stmt.distinct()
    async for seq in await session.stream_scalars(s):
        out.add(seq)
    return out & cand


async def tags_on_relation(
    session: AsyncSession,
    corp_id: int,
    cand: BitMap,
    *,
    userid: str,
    tag_ids: Sequence[str],
    require_all: bool,
) -> BitMap:
    """Candidates with any (or all) of the tags on their live relation with ``userid``."""
    stmt = (
        select(Customer.seq)
        .select_from(RelationTag)
        .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
        .join(Customer, Customer.id == RelationTag.customer_id)
        .where(
            RelationTag.corp_id == corp_id,
            RelationTag.tag_id.in_(sorted(set(tag_ids))),
            FollowRelation.userid == userid,
            FollowRelation.deleted_at.is_(None),
        )
    )
    having = func.count(func.distinct(RelationTag.tag_id)) >= len(set(tag_ids))
    return await _seqs_restricted(session, stmt, cand, having=having if require_all else None)


async def event_at_least(
    session: AsyncSession, corp_id: int, cand: BitMap, *, kind: str, since: datetime, n: int
) -> BitMap:
    """Candidates with at least ``n`` (≥ 1) timeline events of ``kind`` since ``since``."""
    stmt = (
        select(Customer.seq)
        .select_from(TimelineEvent)
        .join(Customer, Customer.id == TimelineEvent.customer_id)
        .where(
            TimelineEvent.corp_id == corp_id,
            TimelineEvent.kind == kind,
            TimelineEvent.occurred_at >= since,
        )
    )
    return await _seqs_restricted(session, stmt, cand, having=func.count() >= n)


async def known_stages(session: AsyncSession, corp_id: int, stage_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(stage_ids))
    if not ids:
        return set()
    stmt = scoped(CustomerStage, corp_id, CustomerStage.id).where(CustomerStage.id.in_(ids))
    return set((await session.scalars(stmt)).all())


async def known_tags(session: AsyncSession, corp_id: int, tag_ids: Iterable[str]) -> set[str]:
    ids = sorted(set(tag_ids))
    if not ids:
        return set()
    stmt = scoped(Tag, corp_id, Tag.tag_id).where(Tag.tag_id.in_(ids), Tag.deleted_at.is_(None))
    return set((await session.scalars(stmt)).all())


async def known_employees(session: AsyncSession, corp_id: int, userids: Iterable[str]) -> set[str]:
    ids = sorted(set(userids))
    if not ids:
        return set()
    stmt = scoped(Employee, corp_id, Employee.userid).where(Employee.userid.in_(ids))
    return set((await session.scalars(stmt)).all())


async def departments(session: AsyncSession, corp_id: int) -> dict[int, int | None]:
    """dept_id → parent_id."""
    rows = await session.execute(
        scoped(Department, corp_id, Department.dept_id, Department.parent_id)
    )
    return {d: p for d, p in rows.all()}


async def channel_group_states(
    session: AsyncSession, corp_id: int, groups: Iterable[str]
) -> dict[str, list[str]]:
    """group name → the states of its channel codes (deleted codes too: their adds remain)."""
    names = sorted(set(groups))
    out: dict[str, list[str]] = {g: [] for g in names}
    if names:
        stmt = scoped(ChannelCode, corp_id, ChannelCode.group_name, ChannelCode.state).where(
            ChannelCode.group_name.in_(names)
        )
        for group, state in (await session.execute(stmt)).all():
            out[group].append(state)
    return out


async def employee_departments(session: AsyncSession, corp_id: int) -> dict[str, list[int]]:
    rows = await session.execute(
        scoped(Employee, corp_id, Employee.userid, Employee.department_ids)
    )
    return {u: list(d or []) for u, d in rows.all()}


async def customers_by_seq(
    session: AsyncSession, corp_id: int, seqs: Sequence[int]
) -> list[Customer]:
    """Customers with these seqs, in seq order."""
    out: list[Customer] = []
    for part in _chunks(sorted(seqs)):
        stmt = scoped(Customer, corp_id).where(Customer.seq.in_(part)).order_by(Customer.seq)
        out.extend((await session.scalars(stmt)).all())
    return out


async def seq_of(session: AsyncSession, corp_id: int, customer_id: int) -> int | None:
    stmt = scoped(Customer, corp_id, Customer.seq).where(Customer.id == customer_id)
    seq = await session.scalar(stmt)
    return int(seq) if seq is not None else None


async def ids_by_seq(session: AsyncSession, corp_id: int, seqs: Sequence[int]) -> list[int]:
    out: list[int] = []
    for part in _chunks(sorted(seqs)):
        stmt = scoped(Customer, corp_id, Customer.id).where(Customer.seq.in_(part))
        out.extend((await session.scalars(stmt)).all())
    return sorted(out)


# -- the customer list (``customer_list.py``) ---------------------------------------------------


async def keyword(session: AsyncSession, corp_id: int, cand: BitMap, *, like: str) -> BitMap:
    """Candidates whose name, or the remark or description of any of their follow relations
    (lost ones too), is ``LIKE`` the pattern (two reads: names, then remarks of the rest)."""
    names = select(Customer.seq).where(Customer.corp_id == corp_id, Customer.name.like(like))
    found = await _seqs_restricted(session, names, cand)
    rest = cand - found
    if not rest:
        return found
    remarks = (
        select(Customer.seq)
        .select_from(FollowRelation)
        .join(Customer, Customer.id == FollowRelation.customer_id)
        .where(
            FollowRelation.corp_id == corp_id,
            or_(FollowRelation.remark.like(like), FollowRelation.description.like(like)),
        )
    )
    return found | await _seqs_restricted(session, remarks, rest)


async def added_between(
    session: AsyncSession, corp_id: int, cand: BitMap, lo: datetime | None, hi: datetime | None
) -> BitMap:
    """Candidates first added at or after ``lo`` and before ``hi`` (instants)."""
    stmt = select(Customer.seq).where(Customer.corp_id == corp_id)
    if lo is not None:
        stmt = stmt.where(Customer.first_added_at >= lo)
    if hi is not None:
        stmt = stmt.where(Customer.first_added_at < hi)
    return await _seqs_restricted(session, stmt, cand)


async def followed_before(
    session: AsyncSession, corp_id: int, cand: BitMap, *, userids: Sequence[str]
) -> BitMap:
    """Candidates with an ended follow relation with one of ``userids``."""
    if not userids:
        return BitMap()
    stmt = (
        select(Customer.seq)
        .select_from(FollowRelation)
        .join(Customer, Customer.id == FollowRelation.customer_id)
        .where(
            FollowRelation.corp_id == corp_id,
            FollowRelation.userid.in_(list(userids)),
            FollowRelation.deleted_at.is_not(None),
        )
    )
    return await _seqs_restricted(session, stmt, cand)


SortKey = tuple[int, int, datetime | None]  # (seq, id, first_added_at)


async def sort_keys(session: AsyncSession, corp_id: int, seqs: Sequence[int]) -> list[SortKey]:
    """(seq, id, first_added_at) of the customers with these seqs, in no order."""
    out: list[SortKey] = []
    for part in _chunks(seqs):
        stmt = select(Customer.seq, Customer.id, Customer.first_added_at).where(
            Customer.corp_id == corp_id, Customer.seq.in_(part)
        )
        out.extend((s, i, a) for s, i, a in (await session.execute(stmt)).all())
    return out


async def stream_by_id(
    session: AsyncSession, corp_id: int, *, desc: bool, after: int | None
) -> AsyncIterator[Sequence[tuple[int, int]]]:
    """(seq, id) of every customer of the corp in id order (after ``after``), in batches."""
    stmt = select(Customer.seq, Customer.id).where(Customer.corp_id == corp_id)
    if after is not None:
        stmt = stmt.where(Customer.id < after if desc else Customer.id > after)
    stmt = stmt.order_by(Customer.id.desc() if desc else Customer.id.asc())
    result = await session.stream(stmt.execution_options(yield_per=2000))
    async for part in result.partitions(2000):
        yield [(s, i) for s, i in part]
