"""Each employee's next follow-up with a customer (下次跟进), and the employee's own list.

A follow-up belongs to one follow relation (employee × customer). Days are the corp's
(``corps.timezone``): ``today`` is due between the corp's midnight and the next, ``overdue``
before today's midnight, ``upcoming`` from tomorrow on. A follow-up of an ended relation stays
stored but leaves the list.

The due reminder and the morning digest (app messages) are sent by
``siyu.frontline.follow_up_reminders``; :func:`hand_over` moves follow-ups to the employee who
takes the customers over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import InvalidInput
from siyu.core.pagination import decode_cursor, encode_cursor
from siyu.core.times import zone
from siyu.corps.principal import Principal
from siyu.customers import profile
from siyu.customers import timeline as tl
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.profile_models import FollowUp
from siyu.customers.profile_schemas import FollowUpIn, FollowUpItem, FollowUpOut
from siyu.db.base import utcnow

DUE = ("today", "overdue", "upcoming")
NOTE_MAX = 100
MAX_AHEAD = timedelta(days=366 * 3)


async def set_follow_up(
    session: AsyncSession, principal: Principal, customer_id: int, body: FollowUpIn
) -> FollowUpOut | None:
    customer = await profile.customer_for(session, principal, customer_id)
    rel = await profile.relation_for(session, principal, customer, body.userid)
    note = body.note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"跟进事项最多 {NOTE_MAX} 个字")
    now = utcnow()
    row = await session.get(FollowUp, (customer.id, rel.userid))
    if body.due_at is None:
        if row is not None:
            await session.execute(
                delete(FollowUp).where(
                    FollowUp.customer_id == customer.id, FollowUp.userid == rel.userid
                )
            )
            await tl.record(
                session,
                [
                    tl.entry(
                        principal.corp_id,
                        customer.id,
                        tl.FOLLOW_UP_SET,
                        at=now,
                        userid=rel.userid,
                        due_at=None,
                        by=principal.name,
                    )
                ],
            )
        return None
    if body.due_at > now + MAX_AHEAD:
        raise InvalidInput("下次跟进时间不能晚于三年后")
    if row is None:
        row = FollowUp(customer_id=customer.id, userid=rel.userid, corp_id=principal.corp_id)
        session.add(row)
    if row.due_at != body.due_at:
        # a new time re-arms the due reminder; a time already past is overdue, not reminded
        row.reminded_at = None if body.due_at > now else now
    row.due_at, row.note = body.due_at, note
    await tl.record(
        session,
        [
            tl.entry(
                principal.corp_id,
                customer.id,
                tl.FOLLOW_UP_SET,
                at=now,
                userid=rel.userid,
                due_at=body.due_at.isoformat(),
                note=note,
                by=principal.name,
            )
        ],
    )
    await session.flush()
    return FollowUpOut(due_at=row.due_at, note=row.note)


def bounds(due: str, tz_name: str | None, now: datetime) -> tuple[datetime | None, datetime | None]:
    """[start, end) of ``due`` in UTC, by the corp's calendar."""
    tz = zone(tz_name)
    midnight = datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz)
    tomorrow = datetime.combine(midnight.date() + timedelta(days=1), time(), tzinfo=tz)
    if due == "today":
        return midnight, tomorrow
    if due == "overdue":
        return None, midnight
    return tomorrow, None


async def mine(
    session: AsyncSession,
    principal: Principal,
    *,
    due: str,
    cursor: str | None,
    limit: int,
) -> tuple[list[FollowUpItem], str | None]:
    """The signed-in employee's follow-ups of ``due``, earliest first (keyset pages)."""
    if due not in DUE:
        raise InvalidInput("跟进范围（due）只能是 today、overdue 或 upcoming")
    if not principal.userid:
        raise InvalidInput("当前账号未关联企业微信成员，没有自己的跟进")
    now = utcnow()
    start, end = bounds(due, principal.corp.timezone, now)
    stmt = (
        select(FollowUp, Customer, FollowRelation.remark)
        .join(Customer, Customer.id == FollowUp.customer_id)
        .join(
            FollowRelation,
            and_(
                FollowRelation.customer_id == FollowUp.customer_id,
                FollowRelation.userid == FollowUp.userid,
            ),
        )
        .where(
            FollowUp.corp_id == principal.corp_id,
            FollowUp.userid == principal.userid,
            FollowRelation.deleted_at.is_(None),
        )
    )
    if start is not None:
        stmt = stmt.where(FollowUp.due_at >= start)
    if end is not None:
        stmt = stmt.where(FollowUp.due_at < end)
    if cursor:
        try:
            at_s, cid = decode_cursor(cursor)
            at = datetime.fromisoformat(str(at_s))
            cid = int(cid)
            if at.tzinfo is None:
                raise ValueError(at_s)
        except (ValueError, TypeError):
            raise InvalidInput("翻页游标（cursor）无效，请使用上一页的 next_cursor") from None
        stmt = stmt.where(
            or_(FollowUp.due_at > at, and_(FollowUp.due_at == at, FollowUp.customer_id > cid))
        )
    rows = (
        await session.execute(stmt.order_by(FollowUp.due_at, FollowUp.customer_id).limit(limit + 1))
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        FollowUpItem(
            customer_id=c.id,
            external_userid=c.external_userid,
            name=c.name,
            avatar=c.avatar,
            remark=remark,
            due_at=f.due_at,
            note=f.note,
            overdue=f.due_at < now,
        )
        for f, c, remark in rows
    ]
    nxt = encode_cursor([rows[-1][0].due_at.isoformat(), rows[-1][0].customer_id]) if more else None
    return items, nxt


async def hand_over(
    session: AsyncSession,
    corp_id: int,
    customer_ids: Sequence[int],
    from_userid: str,
    to_userid: str,
    *,
    now: datetime | None = None,
    by: str = "交接",
) -> int:
    """Move ``from_userid``'s follow-ups of these customers to ``to_userid``; returns how many.

    When the taker already has a follow-up with a customer, the earlier of the two wins (nothing
    due is missed). The moved follow-up is re-armed: its reminder goes to the taker."""
    if not customer_ids or from_userid == to_userid:
        return 0
    now = now or utcnow()
    rows = (
        await session.scalars(
            select(FollowUp).where(
                FollowUp.corp_id == corp_id,
                FollowUp.userid == from_userid,
                FollowUp.customer_id.in_(sorted(set(customer_ids))),
            )
        )
    ).all()
    events: list[dict[str, Any]] = []
    for old in rows:
        mine = await session.get(FollowUp, (old.customer_id, to_userid))
        if mine is None:
            mine = FollowUp(
                customer_id=old.customer_id, userid=to_userid, corp_id=corp_id, due_at=old.due_at
            )
            session.add(mine)
            mine.note, mine.reminded_at = old.note, None
        elif old.due_at < mine.due_at:
            mine.due_at, mine.note, mine.reminded_at = old.due_at, old.note, None
        await session.delete(old)
        events.append(
            tl.entry(
                corp_id,
                old.customer_id,
                tl.FOLLOW_UP_SET,
                at=now,
                userid=to_userid,
                due_at=mine.due_at.isoformat(),
                note=mine.note,
                by=by,
                from_userid=from_userid,
            )
        )
    await session.flush()
    await tl.record(session, events)
    return len(rows)
