"""Follow-up reminders: an app message when a follow-up falls due, and a morning digest.

Both are durable and once-only. A due reminder is claimed by a conditional update of
``follow_ups.reminded_at`` (NULL → now) in the same transaction that adds the pending app
message, so a restart of the scan or a second worker never sends it twice, and a crash after the
commit leaves a pending message that the acquisition sweeper sends again (never lost). Setting a
new time (or handing the follow-up over) clears ``reminded_at``: the reminder is armed again.

The digest is guarded by a ``follow_up_digests`` row per (corp, employee, corp-local day),
inserted with the message. It is sent at or after ``SIYU_FOLLOW_UP_DIGEST_HOUR`` in the corp's
zone to every employee with a follow-up due that day or overdue (live relations only).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import AppMessage
from siyu.acquisition.ownership import message
from siyu.core.times import zone
from siyu.corps.models import Corp
from siyu.customers.follow_ups import bounds
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.profile_models import FollowUp, FollowUpDigest

BATCH = 200
KIND_DUE = "follow_up_due"
KIND_DIGEST = "follow_up_digest"
DIGEST_LINES = 10
#: a text app message's content is at most 2048 bytes (WeCom truncates the rest)
TEXT_BYTES = 2048
FOOTER_BYTES = 120


def _bytes(text: str) -> int:
    return len(text.encode())


def customer_link(base_url: str, customer_id: int) -> str:
    return f"{base_url.rstrip('/')}/m/customers/{customer_id}"


def _who(c: Customer, remark: str) -> str:
    return remark or c.name or c.external_userid


def _live() -> object:
    return and_(
        FollowRelation.customer_id == FollowUp.customer_id,
        FollowRelation.userid == FollowUp.userid,
        FollowRelation.deleted_at.is_(None),
    )


async def due_batch(
    session: AsyncSession, *, now: datetime, base_url: str, limit: int = BATCH
) -> list[tuple[int, int]]:
    """Queue the reminders of up to ``limit`` follow-ups due by ``now`` not yet reminded;
    returns (corp_id, app message id) to send once the transaction commits. Follow-ups of ended
    relations are marked reminded without a message."""
    rows = (
        await session.execute(
            select(FollowUp, Customer, FollowRelation.remark, Corp.timezone)
            .join(Customer, Customer.id == FollowUp.customer_id)
            .join(Corp, Corp.id == FollowUp.corp_id)
            .outerjoin(FollowRelation, _live())  # type: ignore[arg-type]
            .where(FollowUp.reminded_at.is_(None), FollowUp.due_at <= now)
            .order_by(FollowUp.due_at, FollowUp.customer_id, FollowUp.userid)
            .limit(limit)
        )
    ).all()
    out: list[tuple[int, int]] = []
    for f, c, remark, tz_name in rows:
        claimed = await session.execute(
            update(FollowUp)
            .where(
                FollowUp.customer_id == f.customer_id,
                FollowUp.userid == f.userid,
                FollowUp.due_at == f.due_at,
                FollowUp.reminded_at.is_(None),
            )
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if int(claimed.rowcount or 0) != 1 or remark is None:  # type: ignore[attr-defined]
            continue  # claimed by another scan, re-set meanwhile, or the relation ended
        when = f.due_at.astimezone(zone(tz_name)).strftime("%m-%d %H:%M")
        todo = f"：{f.note}" if f.note else ""
        text = (
            f"跟进提醒：{when} 该跟进客户「{_who(c, remark)}」{todo}。"
            f'<a href="{customer_link(base_url, c.id)}">查看客户</a>'
        )
        msg = message(
            session,
            f.corp_id,
            kind=KIND_DUE,
            userids=[f.userid],
            text=text,
            ref=f"follow_up:{c.id}",
        )
        await session.flush()
        out.append((f.corp_id, msg.id))
    return out


def digest_day(tz_name: str | None, now: datetime, hour: int) -> datetime | None:
    """The corp-local midnight of today when its digest hour has come, else None."""
    tz = zone(tz_name)
    local = now.astimezone(tz)
    if local.hour < hour:
        return None
    return datetime.combine(local.date(), time(), tzinfo=tz)


async def digests(
    session: AsyncSession, *, now: datetime, hour: int, base_url: str, limit: int = BATCH
) -> list[tuple[int, int]]:
    """One digest per employee whose corp-local digest hour has come today and who has
    follow-ups due today or overdue; at most ``limit`` employees per call."""
    out: list[tuple[int, int]] = []
    corps = (await session.execute(select(Corp.id, Corp.timezone))).all()
    for corp_id, tz_name in corps:
        midnight = digest_day(tz_name, now, hour)
        if midnight is None:
            continue
        day = midnight.date()
        _, end = bounds("today", tz_name, now)
        sent = select(FollowUpDigest.userid).where(
            FollowUpDigest.corp_id == corp_id, FollowUpDigest.day == day
        )
        userids = (
            await session.scalars(
                select(FollowUp.userid)
                .join(FollowRelation, _live())  # type: ignore[arg-type]
                .where(
                    FollowUp.corp_id == corp_id,
                    FollowUp.due_at < end,
                    FollowUp.userid.not_in(sent),
                )
                .group_by(FollowUp.userid)
                .order_by(FollowUp.userid)
                .limit(limit - len(out))
            )
        ).all()
        for userid in userids:
            msg_id = await _digest_one(session, corp_id, userid, tz_name, now, day, base_url)
            if msg_id is not None:
                out.append((corp_id, msg_id))
        if len(out) >= limit:
            break
    return out


async def _digest_one(
    session: AsyncSession,
    corp_id: int,
    userid: str,
    tz_name: str | None,
    now: datetime,
    day: date,
    base_url: str,
) -> int | None:
    start, end = bounds("today", tz_name, now)
    assert start is not None and end is not None
    rows = (
        await session.execute(
            select(FollowUp, Customer, FollowRelation.remark)
            .join(Customer, Customer.id == FollowUp.customer_id)
            .join(FollowRelation, _live())  # type: ignore[arg-type]
            .where(FollowUp.corp_id == corp_id, FollowUp.userid == userid, FollowUp.due_at < end)
            .order_by(FollowUp.due_at, FollowUp.customer_id)
        )
    ).all()
    overdue = sum(1 for f, _, _ in rows if f.due_at < start)
    today = [(f, c, r) for f, c, r in rows if f.due_at >= start]
    tz = zone(tz_name)
    lines = [f"今日跟进 {len(today)} 位客户" + (f"，另有 {overdue} 位已逾期" if overdue else "")]
    size, shown = _bytes(lines[0]), 0
    for f, c, remark in today[:DIGEST_LINES]:
        note = f" {f.note}" if f.note else ""
        link = customer_link(base_url, c.id)
        when = f.due_at.astimezone(tz).strftime("%H:%M")
        line = f'{when} <a href="{link}">{_who(c, remark)}</a>{note}'
        if size + _bytes(line) + 1 > TEXT_BYTES - FOOTER_BYTES:
            break
        lines.append(line)
        size, shown = size + _bytes(line) + 1, shown + 1
    if len(today) > shown:
        lines.append(f"……共 {len(today)} 位，请在工作台「今日待办」查看")
    elif overdue:
        lines.append("逾期的跟进请在工作台「今日待办」查看")
    guard = FollowUpDigest(corp_id=corp_id, userid=userid, day=day)
    session.add(guard)
    await session.flush()  # the primary key makes a second digest of the day fail here
    msg = message(
        session,
        corp_id,
        kind=KIND_DIGEST,
        userids=[userid],
        text="\n".join(lines),
        ref=f"follow_up_digest:{day}",
    )
    await session.flush()
    guard.message_id = msg.id
    return msg.id


async def sent_messages(session: AsyncSession, corp_id: int, kind: str) -> list[AppMessage]:
    """The app messages of one kind (for tests and the docs' examples)."""
    return list(
        (
            await session.scalars(
                select(AppMessage)
                .where(AppMessage.corp_id == corp_id, AppMessage.kind == kind)
                .order_by(AppMessage.id)
            )
        ).all()
    )
