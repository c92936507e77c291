"""Every broadcast query: the audience assignment (one sender per customer), the plan written
with INSERT … SELECT, ledger counts and the frequency-cap estimate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    case,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import CustomerOwner
from siyu.broadcasts.models import Broadcast, BroadcastRecipient, BroadcastSender
from siyu.broadcasts.schemas import Audience
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.service import filtered
from siyu.db.repository import scoped
from siyu.groups.models import GroupChat

MAX_PER_CALL = 10_000


def assignment(
    corp_id: int,
    audience: Audience,
    *,
    visible_userids: frozenset[str] | None = None,
    members: Table | None = None,
) -> Select[Any]:
    """``(customer_id, external_userid, userid, chunk)``: each matching customer once, sent by
    its owner when the owner follows it, else by the employee who added it first; numbered
    into chunks of ≤10,000 per sender (WeCom's per-call limit)."""
    f = audience.filter.model_copy(update={"include_deleted": False})
    base = filtered(corp_id, f, visible_userids=visible_userids)
    if members is not None:  # a segment's members (see segment_members)
        base = base.where(Customer.seq.in_(select(members.c.seq)))
    customers = base.with_only_columns(
        Customer.id.label("cid"), Customer.external_userid.label("ext")
    ).subquery()
    rel_conds = [
        FollowRelation.corp_id == corp_id,
        FollowRelation.customer_id == customers.c.cid,
        FollowRelation.deleted_at.is_(None),
    ]
    if audience.userids:
        rel_conds.append(FollowRelation.userid.in_(sorted(set(audience.userids))))
    if visible_userids is not None:
        rel_conds.append(FollowRelation.userid.in_(sorted(visible_userids)))
    owner_first = case((CustomerOwner.userid == FollowRelation.userid, 0), else_=1)
    ranked = (
        select(
            customers.c.cid.label("customer_id"),
            customers.c.ext.label("external_userid"),
            FollowRelation.userid.label("userid"),
            func.row_number()
            .over(
                partition_by=customers.c.cid,
                order_by=(owner_first, FollowRelation.added_at, FollowRelation.id),
            )
            .label("rn"),
        )
        .select_from(customers)
        .join(FollowRelation, and_(*rel_conds))
        .outerjoin(
            CustomerOwner,
            and_(CustomerOwner.corp_id == corp_id, CustomerOwner.customer_id == customers.c.cid),
        )
        .subquery()
    )
    chunk = (
        (func.row_number().over(partition_by=ranked.c.userid, order_by=ranked.c.customer_id) - 1)
        // MAX_PER_CALL
    ).label("chunk")
    return select(ranked.c.customer_id, ranked.c.external_userid, ranked.c.userid, chunk).where(
        ranked.c.rn == 1
    )


def group_assignment(corp_id: int, audience: Audience) -> Select[Any]:
    """``(0, chat_id, owner, chunk)``: each live group chat once, sent by its owner."""
    conds = [GroupChat.corp_id == corp_id, GroupChat.dismissed_at.is_(None), GroupChat.owner != ""]
    if audience.userids:
        conds.append(GroupChat.owner.in_(sorted(set(audience.userids))))
    chunk = (
        (func.row_number().over(partition_by=GroupChat.owner, order_by=GroupChat.id) - 1)
        // MAX_PER_CALL
    ).label("chunk")
    return select(
        literal(0).label("customer_id"),
        GroupChat.chat_id.label("external_userid"),
        GroupChat.owner.label("userid"),
        chunk,
    ).where(*conds)


SEGMENT_TABLE = "tmp_broadcast_members"


async def segment_members(s: AsyncSession, seqs: Sequence[int]) -> Table:
    """A temporary table (this connection only) of customer seqs, for the assignment."""
    table = Table(
        SEGMENT_TABLE, MetaData(), Column("seq", Integer, primary_key=True), prefixes=["TEMPORARY"]
    )
    await s.execute(text(f"DROP TABLE IF EXISTS {SEGMENT_TABLE}"))
    await s.run_sync(lambda sync: table.create(sync.connection()))
    rows = [{"seq": q} for q in seqs]
    for i in range(0, len(rows), 5000):
        await s.execute(table.insert(), rows[i : i + 5000])
    return table


async def drop_segment_members(s: AsyncSession) -> None:
    await s.execute(text(f"DROP TABLE IF EXISTS {SEGMENT_TABLE}"))


async def sender_counts(s: AsyncSession, picked: Select[Any]) -> list[tuple[str, int, int]]:
    """``(userid, chunks, recipients)`` per sender of an assignment."""
    sub = picked.subquery()
    rows = await s.execute(
        select(sub.c.userid, func.count(func.distinct(sub.c.chunk)), func.count())
        .group_by(sub.c.userid)
        .order_by(func.count().desc(), sub.c.userid)
    )
    return [(str(u), int(c), int(n)) for u, c, n in rows.all()]


async def count_capped(
    s: AsyncSession,
    corp_id: int,
    picked: Select[Any],
    *,
    since: datetime,
    cap: int,
    kind: str = "customer",
) -> int:
    """Picked customers (or groups) who already received (or are about to receive) ``cap``
    corp mass messages since ``since``, according to Siyu's own ledger."""
    r, j = BroadcastRecipient, BroadcastSender
    when = func.coalesce(r.sent_at, j.in_flight_since)
    heavy = (
        select(r.external_userid)
        .join(j, j.id == r.sender_id)
        .join(Broadcast, Broadcast.id == r.broadcast_id)
        .where(
            r.corp_id == corp_id,
            Broadcast.kind == kind,
            r.state.in_(("sent", "submitted")),
            when >= since,
        )
        .group_by(r.external_userid)
        .having(func.count() >= cap)
    )
    sub = picked.subquery()
    total = await s.scalar(
        select(func.count()).select_from(sub).where(sub.c.external_userid.in_(heavy))
    )
    return int(total or 0)


async def write_plan(
    s: AsyncSession, corp_id: int, broadcast_id: int, picked: Select[Any], now: datetime
) -> None:
    """Insert the sender jobs, then every recipient (two INSERT … SELECT statements)."""
    sub = picked.subquery()
    jobs = select(
        literal(corp_id),
        literal(broadcast_id),
        sub.c.userid,
        sub.c.chunk,
        literal("planned"),
        func.count(),
        literal(0),
        literal(False),
        literal(0),
        literal(now),
        literal(now),
    ).group_by(sub.c.userid, sub.c.chunk)
    cols = [
        "corp_id",
        "broadcast_id",
        "userid",
        "chunk",
        "status",
        "recipients",
        "attempts",
        "reconciled",
        "reminds",
        "created_at",
        "updated_at",
    ]
    await s.execute(BroadcastSender.__table__.insert().from_select(cols, jobs))  # type: ignore[attr-defined]
    j = BroadcastSender
    sub2 = picked.subquery()
    recipients = select(
        literal(corp_id),
        literal(broadcast_id),
        j.id,
        sub2.c.customer_id,
        sub2.c.external_userid,
        sub2.c.userid,
        literal("planned"),
    ).join(
        j, and_(j.broadcast_id == broadcast_id, j.userid == sub2.c.userid, j.chunk == sub2.c.chunk)
    )
    rcols = [
        "corp_id",
        "broadcast_id",
        "sender_id",
        "customer_id",
        "external_userid",
        "userid",
        "state",
    ]
    await s.execute(BroadcastRecipient.__table__.insert().from_select(rcols, recipients))  # type: ignore[attr-defined]


async def state_counts(s: AsyncSession, broadcast_id: int) -> dict[str, int]:
    rows = await s.execute(
        select(BroadcastRecipient.state, func.count())
        .where(BroadcastRecipient.broadcast_id == broadcast_id)
        .group_by(BroadcastRecipient.state)
    )
    return {str(k): int(v) for k, v in rows.all()}


async def job_state_counts(s: AsyncSession, broadcast_id: int) -> dict[int, dict[str, int]]:
    rows = await s.execute(
        select(BroadcastRecipient.sender_id, BroadcastRecipient.state, func.count())
        .where(BroadcastRecipient.broadcast_id == broadcast_id)
        .group_by(BroadcastRecipient.sender_id, BroadcastRecipient.state)
    )
    out: dict[int, dict[str, int]] = {}
    for sid, state, n in rows.all():
        out.setdefault(int(sid), {})[str(state)] = int(n)
    return out


async def get(s: AsyncSession, corp_id: int, broadcast_id: int) -> Broadcast | None:
    return await s.scalar(scoped(Broadcast, corp_id).where(Broadcast.id == broadcast_id))


async def jobs(
    s: AsyncSession, corp_id: int, broadcast_id: int, *, statuses: Sequence[str] | None = None
) -> list[BroadcastSender]:
    stmt = scoped(BroadcastSender, corp_id).where(BroadcastSender.broadcast_id == broadcast_id)
    if statuses is not None:
        stmt = stmt.where(BroadcastSender.status.in_(statuses))
    return list((await s.scalars(stmt.order_by(BroadcastSender.id))).all())


async def job_externals(s: AsyncSession, job_id: int) -> list[str]:
    rows = await s.scalars(
        select(BroadcastRecipient.external_userid)
        .where(BroadcastRecipient.sender_id == job_id)
        .order_by(BroadcastRecipient.id)
    )
    return list(rows.all())


async def any_of_job(s: AsyncSession, job_id: int, externals: list[str]) -> bool:
    """Whether any of ``externals`` is a recipient of the job."""
    found = await s.scalar(
        select(func.count())
        .select_from(BroadcastRecipient)
        .where(
            BroadcastRecipient.sender_id == job_id,
            BroadcastRecipient.external_userid.in_(externals[:500]),
        )
    )
    return bool(found)


async def msgid_taken(s: AsyncSession, corp_id: int, msgid: str) -> bool:
    found = await s.scalar(
        scoped(BroadcastSender, corp_id, func.count()).where(BroadcastSender.msgid == msgid)
    )
    return bool(found)


async def set_job_recipients(
    s: AsyncSession,
    job_id: int,
    *,
    state: str,
    reason: str | None = None,
    only_states: Sequence[str] = ("planned",),
    externals: list[str] | None = None,
) -> None:
    """Move the job's recipients (all, or ``externals``) in ``only_states`` to ``state``."""
    r = BroadcastRecipient
    base = update(r).where(r.sender_id == job_id, r.state.in_(only_states))
    if externals is None:
        await s.execute(base.values(state=state, reason=reason))
        return
    for i in range(0, len(externals), 500):
        part = externals[i : i + 500]
        await s.execute(base.where(r.external_userid.in_(part)).values(state=state, reason=reason))
