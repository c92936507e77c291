"""Apply customer state fetched from WeCom to the local records, in bulk, with timeline diffs.

Both the full sync (``batch/get_by_user`` pages) and the callback handlers (``externalcontact/get``)
come through :func:`apply_contacts`, so a customer looks the same whichever way it arrived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.corps.service import allocate_customer_seqs
from siyu.customers import changelog
from siyu.customers import timeline as tl
from siyu.customers.models import Customer, FollowRelation, RelationTag

if TYPE_CHECKING:
    from siyu.wecom.models import BatchItem

_CHUNK = 500
# Core tables: bulk statements without the ORM unit-of-work bookkeeping (hot path of sync).
_CUSTOMERS = cast(Table, Customer.__table__)
_RELATIONS = cast(Table, FollowRelation.__table__)
_RELATION_TAGS = cast(Table, RelationTag.__table__)
CUSTOMER_FIELDS = ("name", "avatar", "type", "gender", "corp_name", "position", "unionid")
RELATION_FIELDS = (
    "remark",
    "description",
    "remark_corp_name",
    "remark_mobiles",
    "add_way",
    "state",
    "oper_userid",
)


@dataclass
class ContactData:
    """A customer's own attributes as WeCom returns them."""

    external_userid: str
    name: str = ""
    avatar: str = ""
    type: int = 1
    gender: int = 0
    corp_name: str = ""
    position: str = ""
    unionid: str = ""


@dataclass
class FollowData:
    """One follow relation as WeCom returns it (tags as corp tag ids)."""

    userid: str
    remark: str = ""
    description: str = ""
    remark_corp_name: str = ""
    remark_mobiles: list[str] = field(default_factory=list)
    add_way: int = 0
    state: str = ""
    oper_userid: str = ""
    createtime: int = 0
    tag_ids: list[str] = field(default_factory=list)


@dataclass
class ApplyResult:
    new_customers: int = 0
    new_relations: int = 0
    customer_ids: dict[str, int] = field(default_factory=dict)
    relation_ids: list[int] = field(default_factory=list)
    changed_customer_ids: set[int] = field(default_factory=set)  # for the segment change log
    new_relation_ids: set[int] = field(default_factory=set)
    new_customer_ids: set[int] = field(default_factory=set)


def contact_from(obj: Any) -> ContactData:
    """ContactData from a WeCom client model (or any object with WeCom's field names)."""
    values: dict[str, Any] = {}
    for key in _contact_keys():
        default = getattr(ContactData, key, "")
        value = _attr(obj, key, default)
        values[key] = default if value is None else value
    return ContactData(**values)


def follow_from(obj: Any, *, tag_ids: Iterable[str] | None = None) -> FollowData:
    """FollowData from a WeCom ``follow_user`` or ``follow_info`` model."""
    if tag_ids is None:
        raw_tags = _attr(obj, "tags", None)
        if raw_tags is not None:
            tag_ids = [_attr(t, "tag_id", "") for t in raw_tags if _attr(t, "type", 1) != 2]
        else:
            tag_ids = _attr(obj, "tag_id", []) or []
    return FollowData(
        userid=_attr(obj, "userid", ""),
        remark=_attr(obj, "remark", "") or "",
        description=_attr(obj, "description", "") or "",
        remark_corp_name=_attr(obj, "remark_corp_name", "") or "",
        remark_mobiles=list(_attr(obj, "remark_mobiles", []) or []),
        add_way=int(_attr(obj, "add_way", 0) or 0),
        state=_attr(obj, "state", "") or "",
        oper_userid=_attr(obj, "oper_userid", "") or "",
        createtime=int(_attr(obj, "createtime", 0) or 0),
        tag_ids=[t for t in tag_ids if t],
    )


def batch_pair(entry: BatchItem) -> tuple[ContactData, FollowData]:
    """``contact_from`` and ``follow_from`` for a typed ``batch/get_by_user`` item
    (``siyu.wecom.models.BatchItem``): the same values, without their generic attribute
    lookups (this runs once per relation read, in a sync as in a drain's sweep)."""
    c, f = entry.external_contact, entry.follow_info
    contact = ContactData(
        c.external_userid,
        c.name,
        c.avatar,
        c.type,
        c.gender,
        c.corp_name or "",
        c.position or "",
        c.unionid or "",
    )
    follow = FollowData(
        f.userid,
        f.remark or "",
        f.description or "",
        f.remark_corp_name or "",
        list(f.remark_mobiles or ()),
        int(f.add_way or 0),
        f.state or "",
        f.oper_userid or "",
        int(f.createtime or 0),
        [t for t in f.tag_id if t],
    )
    return contact, follow


def _contact_keys() -> list[str]:
    return ["external_userid", *CUSTOMER_FIELDS]


def _attr(obj: Any, name: str, default: Any) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _ts(seconds: int, fallback: datetime) -> datetime:
    return datetime.fromtimestamp(seconds, UTC) if seconds else fallback


def _chunks(seq: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


async def apply_contacts(
    session: AsyncSession,
    corp_id: int,
    pairs: Sequence[tuple[ContactData, FollowData]],
    *,
    now: datetime,
    sync_run_id: int | None = None,
) -> ApplyResult:
    """Upsert customers, follow relations and relation tags; record timeline differences.

    Relations are only ended by explicit delete events (callbacks arrive out of order with
    the fresh state they fetch) and by a full sync's reconcile step. ``sync_run_id`` marks
    every relation seen by a full sync.
    """
    result = ApplyResult()
    if not pairs:
        return result
    contacts: dict[str, ContactData] = {}
    for contact, _ in pairs:
        contacts[contact.external_userid] = contact
    customers = await _upsert_customers(session, corp_id, contacts, result)
    rows = [(customers[c.external_userid], f) for c, f in pairs]
    events: list[dict[str, Any]] = []
    relations = await _upsert_relations(session, corp_id, rows, now, events, result)
    await _apply_tags(session, corp_id, rows, relations, now, events, result.new_relation_ids)
    if sync_run_id is not None and result.relation_ids:
        for chunk in _chunks(result.relation_ids):
            await session.execute(
                update(FollowRelation)
                .where(FollowRelation.id.in_(chunk))
                .values(synced_run_id=sync_run_id)
            )
    await tl.record(session, events)
    changed = result.changed_customer_ids | {e["customer_id"] for e in events}
    await changelog.record(session, corp_id, changed)
    await refresh_customer_status(session, corp_id, list(customers.values()), now=now)
    result.customer_ids = {k: v.id for k, v in customers.items()}
    return result


async def _upsert_customers(
    session: AsyncSession, corp_id: int, contacts: dict[str, ContactData], result: ApplyResult
) -> dict[str, Any]:
    existing: dict[str, Any] = {}
    for chunk in _chunks(list(contacts)):
        rows = await session.execute(
            select(Customer.id, Customer.external_userid, *_cols(Customer, CUSTOMER_FIELDS)).where(
                Customer.corp_id == corp_id, Customer.external_userid.in_(chunk)
            )
        )
        for row in rows:
            existing[row.external_userid] = row
    updates = []
    for ext, row in existing.items():
        c = contacts[ext]
        changed = {k: getattr(c, k) for k in CUSTOMER_FIELDS if getattr(row, k) != getattr(c, k)}
        if changed:
            updates.append({"id": row.id, **changed})
    if updates:
        await session.execute(update(Customer), updates)
        result.changed_customer_ids.update(u["id"] for u in updates)
    new = [c for ext, c in contacts.items() if ext not in existing]
    if new:
        first = await allocate_customer_seqs(session, corp_id, len(new))
        values = [
            {"corp_id": corp_id, "seq": first + i, **{k: getattr(c, k) for k in _contact_keys()}}
            for i, c in enumerate(new)
        ]
        inserted = await session.execute(
            _CUSTOMERS.insert().returning(_CUSTOMERS.c.id, _CUSTOMERS.c.external_userid), values
        )
        for row in inserted:
            existing[row.external_userid] = row
            result.changed_customer_ids.add(row.id)
            result.new_customer_ids.add(row.id)
        result.new_customers += len(new)
    return existing


def _cols(model: Any, names: Iterable[str]) -> list[Any]:
    return [getattr(model, n) for n in names]


async def _upsert_relations(
    session: AsyncSession,
    corp_id: int,
    rows: list[tuple[Any, FollowData]],
    now: datetime,
    events: list[dict[str, Any]],
    result: ApplyResult,
) -> dict[tuple[int, str], int]:
    customer_ids = sorted({c.id for c, _ in rows})
    existing: dict[tuple[int, str], Any] = {}
    for chunk in _chunks(customer_ids):
        found = await session.execute(
            select(
                FollowRelation.id,
                FollowRelation.customer_id,
                FollowRelation.userid,
                # whether it ended, not when: no datetime to parse per relation
                FollowRelation.deleted_at.is_not(None).label("ended"),
                *_cols(FollowRelation, RELATION_FIELDS),
            ).where(FollowRelation.corp_id == corp_id, FollowRelation.customer_id.in_(chunk))
        )
        for r in found:
            existing[(r.customer_id, r.userid)] = r
    updates, new = [], []
    ids: dict[tuple[int, str], int] = {}
    for customer, f in rows:
        key = (customer.id, f.userid)
        added_at = _ts(f.createtime, now)
        values = {k: getattr(f, k) for k in RELATION_FIELDS}
        row = existing.get(key)
        if row is None:
            new.append(
                (
                    customer,
                    f,
                    {
                        "corp_id": corp_id,
                        "customer_id": customer.id,
                        "userid": f.userid,
                        "added_at": added_at,
                        **values,
                    },
                )
            )
            continue
        ids[key] = row.id
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if row.ended:  # re-added after a deletion
            changed.update(deleted_at=None, deleted_by=None, added_at=added_at)
            events.append(
                tl.entry(
                    corp_id,
                    customer.id,
                    tl.ADDED,
                    at=added_at,
                    userid=f.userid,
                    add_way=f.add_way,
                    state=f.state,
                    readded=True,
                )
            )
        elif "remark" in changed or "description" in changed:
            events.append(
                tl.entry(
                    corp_id,
                    customer.id,
                    tl.REMARK_CHANGED,
                    at=now,
                    userid=f.userid,
                    old=row.remark,
                    new=f.remark,
                    description=f.description,
                )
            )
        if changed:
            updates.append({"id": row.id, **changed})
            result.changed_customer_ids.add(customer.id)
    if updates:
        await session.execute(update(FollowRelation), updates)
    if new:
        inserted = await session.execute(
            _RELATIONS.insert().returning(
                _RELATIONS.c.id, _RELATIONS.c.customer_id, _RELATIONS.c.userid
            ),
            [v for _, _, v in new],
        )
        for r in inserted:
            ids[(r.customer_id, r.userid)] = r.id
            result.new_relation_ids.add(r.id)
        for customer, f, v in new:
            events.append(
                tl.entry(
                    corp_id,
                    customer.id,
                    tl.ADDED,
                    at=v["added_at"],
                    userid=f.userid,
                    add_way=f.add_way,
                    state=f.state,
                )
            )
        result.new_relations += len(new)
    result.relation_ids.extend(ids.values())
    return ids


async def _apply_tags(
    session: AsyncSession,
    corp_id: int,
    rows: list[tuple[Any, FollowData]],
    relations: dict[tuple[int, str], int],
    now: datetime,
    events: list[dict[str, Any]],
    new_relations: set[int],
) -> None:
    rel_ids = sorted(relations.values())
    current: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(rel_ids):
        found = await session.execute(
            select(RelationTag.relation_id, RelationTag.tag_id).where(
                RelationTag.relation_id.in_(chunk)
            )
        )
        for rid, tid in found:
            current[rid].add(tid)
    add_rows, remove = [], []
    for customer, f in rows:
        rid = relations[(customer.id, f.userid)]
        wanted, have = set(f.tag_ids), current.get(rid, set())
        fresh = rid in new_relations  # a new relation's tags are part of its "added" entry
        for tid in sorted(wanted - have):
            add_rows.append(
                {"relation_id": rid, "tag_id": tid, "corp_id": corp_id, "customer_id": customer.id}
            )
            if not fresh:
                events.append(
                    tl.entry(corp_id, customer.id, tl.TAGGED, at=now, userid=f.userid, tag_id=tid)
                )
        for tid in sorted(have - wanted):
            remove.append((rid, tid))
            events.append(
                tl.entry(corp_id, customer.id, tl.UNTAGGED, at=now, userid=f.userid, tag_id=tid)
            )
        current[rid] = wanted
    if add_rows:
        await session.execute(_RELATION_TAGS.insert(), add_rows)
    for rid, tid in remove:
        await session.execute(
            delete(RelationTag).where(RelationTag.relation_id == rid, RelationTag.tag_id == tid)
        )


async def mark_relation_deleted(
    session: AsyncSession,
    corp_id: int,
    relation_id: int,
    *,
    kind: str,
    now: datetime,
    events: list[dict[str, Any]],
    customer_id: int,
    userid: str,
    **data: Any,
) -> None:
    """Keep the relation as history with who ended it; add the timeline entry."""
    by = {tl.DELETED_BY_CUSTOMER: "customer", tl.DELETED_BY_EMPLOYEE: "employee"}.get(kind, "sync")
    await session.execute(
        update(FollowRelation)
        .where(FollowRelation.id == relation_id, FollowRelation.corp_id == corp_id)
        .values(deleted_at=now, deleted_by=by)
    )
    events.append(tl.entry(corp_id, customer_id, kind, at=now, userid=userid, **data))
    await changelog.record(session, corp_id, [customer_id])


async def refresh_customer_status(
    session: AsyncSession, corp_id: int, customers: list[Any], *, now: datetime
) -> None:
    """Set first_added_at and deleted_at (no live relation left) from the relations."""
    ids = [c.id for c in customers]
    for chunk in _chunks(ids):
        stats = await session.execute(
            select(
                FollowRelation.customer_id,
                func.min(FollowRelation.added_at),
                func.sum(case((FollowRelation.deleted_at.is_(None), 1), else_=0)),
            )
            .where(FollowRelation.corp_id == corp_id, FollowRelation.customer_id.in_(chunk))
            .group_by(FollowRelation.customer_id)
        )
        state = await session.execute(
            select(Customer.id, Customer.first_added_at, Customer.deleted_at).where(
                Customer.id.in_(chunk)
            )
        )
        current = {r.id: r for r in state}
        updates = []
        for cid, first, live in stats.all():
            row = current[cid]
            first = first.replace(tzinfo=UTC) if first and first.tzinfo is None else first
            values: dict[str, Any] = {}
            if first and (row.first_added_at is None or first < row.first_added_at):
                values["first_added_at"] = first
            if int(live or 0) == 0 and row.deleted_at is None:
                values["deleted_at"] = now
            elif int(live or 0) > 0 and row.deleted_at is not None:
                values["deleted_at"] = None
            if values:
                updates.append({"id": cid, **values})
        if updates:
            await session.execute(update(Customer), updates)
            await changelog.record(session, corp_id, [u["id"] for u in updates])
