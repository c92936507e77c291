"""The mobile workbench (/m) of the signed-in employee: today's to-dos (SOP steps due today and
open frontline tasks, with what to share), the customers that need attention first (newest
customer activity first) and a task's part completed through a JS-SDK share API."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict, Forbidden, InvalidInput
from siyu.core.pagination import decode_cursor, encode_cursor
from siyu.corps.principal import Principal
from siyu.customers import follow_ups, timeline
from siyu.customers.models import Customer, FollowRelation, TimelineEvent
from siyu.frontline import mine, progress, service
from siyu.frontline.launch import Signer
from siyu.frontline.models import FrontlineAssignee, FrontlineTask
from siyu.frontline.schemas import (
    SHARE_APIS,
    AttentionOut,
    SharedIn,
    SharedOut,
    TodayOut,
    TodayTask,
)
from siyu.sop import todos

#: what the customer did (not what an employee did to them): these put a customer first
CUSTOMER_KINDS = (
    timeline.RADAR_OPENED,
    timeline.ADDED,
    timeline.JOINED_GROUP,
    timeline.LEFT_GROUP,
)
#: activity older than this does not make a customer urgent
ATTENTION_WINDOW = timedelta(days=30)
SOP_LIMIT = 200


def _employee(principal: Principal) -> str:
    if not principal.userid:
        raise Forbidden("the workbench is an employee's: sign in through WeCom as the employee")
    return principal.userid


def day_end(now: datetime, tz: str) -> datetime:
    """The first instant of tomorrow in the corp's time zone (the end of today)."""
    local = now.astimezone(ZoneInfo(tz))
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=local.tzinfo)
    return tomorrow.astimezone(now.tzinfo)


FOLLOW_UPS = 100  # at most this many overdue and this many of today's follow-ups


async def today(
    s: AsyncSession, principal: Principal, *, now: datetime, signer: Signer
) -> TodayOut:
    """SOP steps of the employee due by the end of today (overdue ones included, oldest
    first) and their running tasks not done yet (nearest deadline first)."""
    userid = _employee(principal)
    end = day_end(now, principal.corp.timezone)
    sop, _ = await todos.page(s, principal, status="open", userid=userid, limit=SOP_LIMIT)
    due = sorted((t for t in sop if t.due_at < end), key=lambda t: (t.due_at, t.id))
    # the employee's follow-ups set for today or already past (the sidebar's 下次跟进)
    overdue, _ = await follow_ups.mine(s, principal, due="overdue", cursor=None, limit=FOLLOW_UPS)
    today_ones, _ = await follow_ups.mine(s, principal, due="today", cursor=None, limit=FOLLOW_UPS)
    tasks: list[TodayTask] = []
    for t in await mine.my_tasks(s, principal, external_userid=None, signer=signer):
        if t.mine.done:
            continue
        item = TodayTask(**t.model_dump(), share_api=SHARE_APIS.get(t.kind, ""))
        if item.share_api:
            task = await service.get(s, principal, t.id)
            a = await _assignee(s, task, userid)
            # the employee's own radar links (no customer: a share reaches whoever the
            # employee picks in WeCom), naming their part of the task's broadcast
            item.content = await mine.pieces(
                s, task, userid, 0, signer, broadcast=a.broadcast_id or task.broadcast_id or 0
            )
        tasks.append(item)
    return TodayOut(day_end=end, sop=due, tasks=tasks, follow_ups=overdue + today_ones)


async def _assignee(s: AsyncSession, task: FrontlineTask, userid: str) -> FrontlineAssignee:
    a = FrontlineAssignee
    row = await s.scalar(
        select(a).where(a.corp_id == task.corp_id, a.task_id == task.id, a.userid == userid)
    )
    if row is None:
        raise Forbidden("you are not assigned to this task")
    return row


async def shared(
    s: AsyncSession, principal: Principal, task_id: int, body: SharedIn, *, now: datetime
) -> SharedOut:
    """Record WeCom's answer to the employee's share of a task: ``ok`` completes their part
    (once: a second ``ok`` keeps the first time), a cancel or failure leaves it open."""
    userid = _employee(principal)
    task = await service.get(s, principal, task_id)
    expected = SHARE_APIS.get(task.kind)
    if expected is None:
        raise InvalidInput("a to-do is not shared: mark it done instead")
    if body.api != expected:
        raise InvalidInput(f"a {task.kind} task is shared with {expected}, not {body.api}")
    a = await _assignee(s, task, userid)
    if body.result == "ok" and a.shared_at is None:
        if task.status != "running":
            raise Conflict(f"the task is {task.status}")
        a.shared_at, a.share_api = now, body.api
        await progress.refresh(s, task)
    return SharedOut(completed=a.done, mine=progress.out(a, task))


async def attention(
    s: AsyncSession, principal: Principal, *, now: datetime, cursor: str | None, limit: int
) -> tuple[list[AttentionOut], str | None]:
    """The employee's live customers by their newest own activity (opened content, added,
    joined or left a group) within the last 30 days, newest first, keyset paginated."""
    userid = _employee(principal)
    corp_id = principal.corp_id
    t, r = TimelineEvent, FollowRelation
    mine_ = select(r.customer_id).where(
        r.corp_id == corp_id, r.userid == userid, r.deleted_at.is_(None)
    )
    newest = func.max(t.occurred_at)
    stmt = (
        select(t.customer_id, newest)
        .where(
            t.corp_id == corp_id,
            t.kind.in_(CUSTOMER_KINDS),
            t.occurred_at >= now - ATTENTION_WINDOW,
            t.customer_id.in_(mine_),
        )
        .group_by(t.customer_id)
    )
    if cursor:
        values = decode_cursor(cursor)
        try:
            at, last = datetime.fromisoformat(str(values[0])), int(values[1])
        except (IndexError, TypeError, ValueError):
            at = None
        if at is None or at.tzinfo is None:
            raise InvalidInput("the cursor is not valid; use next_cursor from a previous page")
        stmt = stmt.having(or_(newest < at, and_(newest == at, t.customer_id < last)))
    rows = (
        await s.execute(stmt.order_by(newest.desc(), t.customer_id.desc()).limit(limit + 1))
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    out = [await _attention_row(s, corp_id, userid, int(cid)) for cid, _ in rows]
    nxt = encode_cursor([out[-1].at.isoformat(), out[-1].customer_id]) if more and out else None
    return out, nxt


async def _attention_row(s: AsyncSession, corp_id: int, userid: str, cid: int) -> AttentionOut:
    t, c, r = TimelineEvent, Customer, FollowRelation
    ev = await s.scalar(
        select(t)
        .where(t.corp_id == corp_id, t.customer_id == cid, t.kind.in_(CUSTOMER_KINDS))
        .order_by(t.occurred_at.desc(), t.id.desc())
        .limit(1)
    )
    assert ev is not None  # the aggregate found it
    cust = await s.scalar(select(c).where(c.corp_id == corp_id, c.id == cid))
    assert cust is not None
    remark = await s.scalar(
        select(r.remark).where(
            r.corp_id == corp_id, r.customer_id == cid, r.userid == userid, r.deleted_at.is_(None)
        )
    )
    data: dict[str, Any] = {
        k: v
        for k, v in (ev.data or {}).items()
        if k in ("title", "read_seconds", "group_name", "channel")
    }
    return AttentionOut(
        customer_id=cid,
        external_userid=cust.external_userid,
        name=cust.name,
        avatar=cust.avatar,
        remark=remark or "",
        at=ev.occurred_at,
        kind=ev.kind,
        data=data,
    )
