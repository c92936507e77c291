"""Durable writes of a follow relation's remark fields to WeCom (``externalcontact/remark``).

The request commits a ``RemarkWrite`` row (pending) and, through the outbox, queues
``write_remark``. The job:

1. claims the row with a conditional update (pending, or sending with an expired lease) →
   ``sending`` with a lease, and commits: two runs never send one row at once;
2. calls WeCom outside any transaction;
3. marks it ``sent`` and applies the fields to the local relation (timeline with names, change
   log) — or ``failed`` with WeCom's sentence, or back to ``pending`` when WeCom is rate
   limiting or down (the task retries).

A crash after 1 leaves the row ``sending``: once its lease expires the sweeper queues it again,
and the new run first reads the relation from WeCom (``externalcontact/get``); when WeCom
already holds the values the row is settled as sent without a second call. A crash before the
job ran leaves it ``pending`` and the sweeper queues it again. Nothing is lost, nothing is sent
twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers import changelog
from siyu.customers import timeline as tl
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.profile_models import RemarkWrite
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.wecom.client import WeComClient

LEASE = timedelta(seconds=60)
STALE = timedelta(seconds=60)  # a pending row this old lost its queued job
#: WeCom's field → the local relation's column
COLUMNS = {
    "remark": "remark",
    "description": "description",
    "remark_company": "remark_corp_name",
    "remark_mobiles": "remark_mobiles",
}
LABELS = {
    "remark": "备注",
    "description": "描述",
    "remark_company": "备注企业",
    "remark_mobiles": "备注手机号",
    "birthday": "生日",
}


async def request(
    session: AsyncSession,
    corp_id: int,
    rel: FollowRelation,
    fields: dict[str, Any],
    *,
    by: str,
) -> RemarkWrite:
    """Record a write of ``fields`` for ``rel``; a write of the same relation not yet claimed
    by a job takes the new fields instead (one call, the latest values)."""
    waiting = await session.scalar(
        scoped(RemarkWrite, corp_id)
        .where(
            RemarkWrite.customer_id == rel.customer_id,
            RemarkWrite.userid == rel.userid,
            RemarkWrite.status == "pending",
        )
        .order_by(RemarkWrite.id.desc())
        .limit(1)
        .with_for_update()
    )
    previous = {k: getattr(rel, COLUMNS[k]) for k in fields}
    if waiting is not None:
        waiting.fields = {**waiting.fields, **fields}
        waiting.previous = {**previous, **waiting.previous}
        waiting.requested_by = by
        waiting.updated_at = utcnow()
        await session.flush()
        return waiting
    row = RemarkWrite(
        corp_id=corp_id,
        customer_id=rel.customer_id,
        userid=rel.userid,
        fields=fields,
        previous=previous,
        requested_by=by,
    )
    session.add(row)
    await session.flush()
    return row


async def latest(
    session: AsyncSession, corp_id: int, customer_id: int, userid: str
) -> RemarkWrite | None:
    return await session.scalar(
        scoped(RemarkWrite, corp_id)
        .where(RemarkWrite.customer_id == customer_id, RemarkWrite.userid == userid)
        .order_by(RemarkWrite.id.desc())
        .limit(1)
    )


async def claim(session: AsyncSession, corp_id: int, write_id: int, *, now: datetime) -> bool:
    """pending (or sending with an expired lease) → sending, leased; False if not ours."""
    result = await session.execute(
        update(RemarkWrite)
        .where(
            RemarkWrite.corp_id == corp_id,
            RemarkWrite.id == write_id,
            or_(
                RemarkWrite.status == "pending",
                and_(RemarkWrite.status == "sending", RemarkWrite.leased_until < now),
            ),
        )
        .values(
            status="sending",
            leased_until=now + LEASE,
            attempts=RemarkWrite.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def wire(fields: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments: WeCom clears the remark mobiles with ``[""]``, not ``[]``."""
    out = dict(fields)
    if out.get("remark_mobiles") == []:
        out["remark_mobiles"] = [""]
    return out


def matches(fields: dict[str, Any], follow: Any, *, wechat_user: bool) -> bool:
    """Whether WeCom's follow_user already holds ``fields`` (a crashed run's call landed)."""
    for key, value in fields.items():
        if key == "remark_company" and not wechat_user:
            continue  # WeCom ignores it for WeCom users: nothing to compare
        have = getattr(follow, COLUMNS[key])
        if key == "remark_mobiles":
            if [m for m in have if m] != [m for m in value if m]:
                return False
        elif (have or "") != value:
            return False
    return True


async def already_in_wecom(
    client: WeComClient, userid: str, external_userid: str, fields: dict[str, Any]
) -> bool:
    detail = await client.get_external_contact(external_userid)
    follow = next((f for f in detail.follow_user if f.userid == userid), None)
    if follow is None:
        return False
    return matches(fields, follow, wechat_user=detail.external_contact.type == 1)


async def settle_sent(session: AsyncSession, corp_id: int, write_id: int, *, now: datetime) -> None:
    """Mark the write sent and mirror it: the relation's columns, the timeline, the change log."""
    row = await session.scalar(scoped(RemarkWrite, corp_id).where(RemarkWrite.id == write_id))
    if row is None or row.status == "sent":
        return
    row.status, row.sent_at, row.leased_until, row.error = "sent", now, None, ""
    rel = await session.scalar(
        scoped(FollowRelation, corp_id).where(
            FollowRelation.customer_id == row.customer_id, FollowRelation.userid == row.userid
        )
    )
    wechat_user = (
        await session.scalar(select(Customer.type).where(Customer.id == row.customer_id))
    ) == 1
    changes = []
    for key, value in row.fields.items():
        if key == "remark_company" and not wechat_user:
            continue
        new = [m for m in value if m] if key == "remark_mobiles" else value
        old = row.previous.get(key, [] if key == "remark_mobiles" else "")
        if rel is not None:
            setattr(rel, COLUMNS[key], new)
        if old != new:
            changes.append({"field": key, "label": LABELS[key], "old": old, "new": new})
    if changes:
        await tl.record(
            session,
            [
                tl.entry(
                    corp_id,
                    row.customer_id,
                    tl.PROFILE_CHANGED,
                    at=now,
                    userid=row.userid,
                    changes=changes,
                    by=row.requested_by,
                    wecom=True,
                )
            ],
        )
        await changelog.record(session, corp_id, [row.customer_id])


async def fail(
    session: AsyncSession, corp_id: int, write_id: int, error: str, *, retry: bool
) -> None:
    """Give the row back (``retry``: pending again, the task retries) or fail it for good."""
    await session.execute(
        update(RemarkWrite)
        .where(RemarkWrite.corp_id == corp_id, RemarkWrite.id == write_id)
        .values(
            status="pending" if retry else "failed",
            error=error[:300],
            leased_until=None,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


async def due(session: AsyncSession, *, now: datetime) -> list[tuple[int, int]]:
    """(corp, write) the sweeper queues again: pending and idle (the queued job was lost), or
    sending with an expired lease (the run died)."""
    rows = await session.execute(
        select(RemarkWrite.corp_id, RemarkWrite.id)
        .where(
            or_(
                and_(RemarkWrite.status == "pending", RemarkWrite.updated_at < now - STALE),
                and_(RemarkWrite.status == "sending", RemarkWrite.leased_until < now),
            )
        )
        .order_by(RemarkWrite.id)
        .limit(500)
    )
    return [(int(c), int(i)) for c, i in rows.all()]
