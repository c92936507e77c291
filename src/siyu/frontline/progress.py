"""Completion and effect: the assignees' snapshot refreshed from the broadcast ledger (WeCom's
send results) and radar opens; per-employee pages, the leaderboard, reminders to laggards."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, false, true
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.broadcasts import service as broadcasts
from siyu.core.errors import Conflict
from siyu.core.pagination import decode_cursor, encode_cursor
from siyu.frontline import repository as repo
from siyu.frontline.launch import local, notify
from siyu.frontline.models import FrontlineAssignee, FrontlineTask
from siyu.frontline.schemas import AssigneeOut, RankRow, RemindResult, Totals
from siyu.wecom import groupmsg_api as api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError

#: opens of the task's links count until this long after the task ended
EFFECT_WINDOW = timedelta(days=7)


def rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


async def refresh(s: AsyncSession, task: FrontlineTask) -> Totals:
    """Recompute every assignee's counts and the task totals from local data."""
    people = await repo.all_assignees(s, task.corp_id, task.id)
    if task.kind in ("customer", "group") and task.broadcast_id is not None:
        counts = await repo.ledger_counts(s, task.broadcast_id)
        jobs: dict[str, list[Any]] = {}
        for j in await repo.sender_jobs(s, task.corp_id, task.broadcast_id):
            jobs.setdefault(j.userid, []).append(j)
        for a in people:
            c = counts.get(a.userid, {})
            if c:
                a.assigned = sum(c.values())
            a.sent = c.get("sent", 0)
            a.not_sent = c.get("not_sent", 0)
            a.failed = c.get("failed", 0)
            mine = jobs.get(a.userid, [])
            a.done = bool(mine) and all(j.task_status == 2 or j.status == "failed" for j in mine)
            sent_at = [j.sent_at for j in mine if j.sent_at]
            a.completed_at = max(sent_at) if a.done and sent_at else None
    elif task.kind == "moment":
        for a in people:
            jobs_ = (
                await broadcasts.sender_jobs(s, task.corp_id, a.broadcast_id)
                if a.broadcast_id
                else []
            )
            job = jobs_[0] if jobs_ else None
            a.assigned = 1
            invalid = (
                a.userid in ((job.result or {}).get("invalid_senders") or []) if job else False
            )
            published = job is not None and job.task_status == 3 and not invalid
            a.sent, a.failed = (
                int(published),
                int(invalid or (job is not None and job.status == "failed")),
            )
            a.done = published
            a.completed_at = job.sent_at if published and job else None
    for a in people:  # a share WeCom answered with ``:ok`` completes the part (workbench)
        if a.shared_at is not None and not a.done:
            a.done, a.completed_at = True, a.shared_at
            a.sent = a.sent if task.kind in ("customer", "group") else 1
    bids = [b for b in {task.broadcast_id, *(a.broadcast_id for a in people)} if b is not None]
    if bids:  # the links sent in the task's own messages
        opens = await repo.broadcast_radar_counts(s, task.corp_id, bids)
    elif task.started_at is not None:  # to-dos: links of the task's items shared meanwhile
        until = (task.ended_at or task.cancelled_at or task.deadline) + EFFECT_WINDOW
        opens = await repo.radar_counts(
            s, task.corp_id, list(task.content_ids), since=task.started_at, until=until
        )
    else:
        opens = {}
    for a in people:
        a.opens, a.opened_customers = opens.get(a.userid, (0, 0))
    error = (task.totals or {}).get("error")
    for bid in bids:
        b = await broadcasts.find(s, task.corp_id, bid)
        if b is not None and b.status == "failed":
            error = f"broadcast {b.id} failed: {b.error or 'unknown error'}"[:300]
    totals = summarize(people, without=list(task.totals.get("without_targets") or []))
    totals.error = error
    task.totals = totals.model_dump()
    return totals


def summarize(people: list[FrontlineAssignee], *, without: list[str]) -> Totals:
    assigned = sum(a.assigned for a in people)
    sent = sum(a.sent for a in people)
    done = sum(1 for a in people if a.done)
    not_sent = sum(a.not_sent for a in people)
    failed = sum(a.failed for a in people)
    return Totals(
        employees=len(people),
        employees_done=done,
        assigned=assigned,
        sent=sent,
        not_sent=not_sent,
        failed=failed,
        pending=max(assigned - sent - not_sent - failed, 0),
        completion_rate=rate(sent, assigned),
        employee_rate=rate(done, len(people)),
        opens=sum(a.opens for a in people),
        opened_customers=sum(a.opened_customers for a in people),
        without_targets=without,
    )


def out(a: FrontlineAssignee, task: FrontlineTask) -> AssigneeOut:
    row = AssigneeOut.model_validate(a)
    row.pending = max(a.assigned - a.sent - a.not_sent - a.failed, 0)
    row.completion_rate = rate(a.sent, a.assigned) if task.kind != "todo" else float(a.done)
    row.late = bool(a.completed_at and a.completed_at > task.deadline)
    return row


def _filtered(
    task: FrontlineTask, visible: frozenset[str] | None, *, done: bool | None, keyword: str | None
) -> Select[Any]:
    a = FrontlineAssignee
    stmt = repo.assignees(task.corp_id, task.id, visible)
    if done is not None:
        stmt = stmt.where(a.done.is_(true() if done else false()))
    if keyword:
        stmt = stmt.where(a.name.like(f"%{keyword}%") | a.userid.like(f"%{keyword}%"))
    return stmt


async def page(
    s: AsyncSession,
    task: FrontlineTask,
    visible: frozenset[str] | None,
    *,
    done: bool | None,
    keyword: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[AssigneeOut], str | None]:
    """Employees by userid, keyset paginated."""
    a = FrontlineAssignee
    stmt = _filtered(task, visible, done=done, keyword=keyword)
    if cursor:
        stmt = stmt.where(a.userid > str(decode_cursor(cursor)[0]))
    rows = list((await s.scalars(stmt.order_by(a.userid).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor([rows[-1].userid]) if more and rows else None
    return [out(r, task) for r in rows], nxt


def ranked(
    rows: list[AssigneeOut], per_task: dict[str, tuple[int, int]] | None = None
) -> list[RankRow]:
    """By completion rate, then opens, then sent (ties share a rank); ``per_task`` gives
    ``(tasks, tasks done)`` per employee over a period."""
    per_task = per_task or {}
    key = [(r.completion_rate, r.opens, r.sent) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: rows[i].userid)
    order.sort(key=lambda i: key[i], reverse=True)  # stable: ties stay by userid
    result: list[RankRow] = []
    for pos, i in enumerate(order):
        r = rows[i]
        same = result and key[order[pos - 1]] == key[i]
        result.append(
            RankRow(
                rank=result[-1].rank if same else pos + 1,
                userid=r.userid,
                name=r.name,
                tasks=per_task.get(r.userid, (1, 0))[0],
                assigned=r.assigned,
                sent=r.sent,
                completion_rate=r.completion_rate,
                done=per_task[r.userid][1] if r.userid in per_task else int(r.done),
                opens=r.opens,
                opened_customers=r.opened_customers,
            )
        )
    return result


async def task_leaderboard(
    s: AsyncSession, task: FrontlineTask, visible: frozenset[str] | None
) -> list[RankRow]:
    people = await repo.all_assignees(s, task.corp_id, task.id, visible)
    return ranked([out(a, task) for a in people])


async def period_leaderboard(
    s: AsyncSession,
    corp_id: int,
    visible: frozenset[str] | None,
    *,
    since: datetime,
    until: datetime,
) -> list[RankRow]:
    """Every employee over the tasks started in the period."""
    rows = []
    per_task: dict[str, tuple[int, int]] = {}
    for userid, name, tasks, assigned, sent, done, opens, customers in await repo.period_rows(
        s, corp_id, since=since, until=until, visible=visible
    ):
        rows.append(
            AssigneeOut(
                userid=userid,
                name=name or "",
                assigned=int(assigned or 0),
                sent=int(sent or 0),
                not_sent=0,
                failed=0,
                completion_rate=rate(int(sent or 0), int(assigned or 0)),
                done=False,
                completed_at=None,
                opens=int(opens or 0),
                opened_customers=int(customers or 0),
                reminds=0,
                last_reminded_at=None,
            )
        )
        per_task[userid] = (int(tasks), int(done or 0))
    return ranked(rows, per_task)


async def remind(
    s: AsyncSession,
    task: FrontlineTask,
    visible: frozenset[str] | None,
    *,
    client: WeComClient,
    now: datetime,
    tz: str,
    auto: bool = False,
) -> tuple[RemindResult, list[int]]:
    """Remind the laggards in scope: WeCom's own reminder for their unsent mass messages
    (≤3 per message per 24 h, WeCom's limit) and an app message; (result, app message ids)."""
    if task.status != "running":
        raise Conflict(f"only a running task can be reminded; this one is {task.status}")
    await refresh(s, task)
    late = [a for a in await repo.all_assignees(s, task.corp_id, task.id, visible) if not a.done]
    result = RemindResult(employees=len(late))
    if not late:
        return result, []
    names = {a.userid for a in late}
    if task.kind in ("customer", "group") and task.broadcast_id is not None:
        for j in await repo.sender_jobs(s, task.corp_id, task.broadcast_id):
            if j.userid not in names or not j.msgid or j.task_status == 2:
                continue
            try:
                await api.remind_groupmsg_send(client, j.msgid)
                j.reminds += 1
                result.wecom_ok += 1
            except WeComError as exc:
                result.errors.append(f"{j.userid}: {exc.errmsg} (errcode {exc.errcode})")
    for a in late:
        a.reminds += 1
        a.last_reminded_at = now
    word = "自动提醒" if auto else "任务提醒"
    text = (
        f"【{word}】营销任务「{task.name}」将于 {local(task.deadline, tz)} 截止，"
        f"你还没有完成，请尽快处理。"
    )
    ref = f"task:{task.id}:remind:{int(now.timestamp())}"
    msgs = notify(s, task, sorted(names), text=text, ref=ref)
    await s.flush()
    return result, [m.id for m in msgs]
