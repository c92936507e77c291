"""Frontline tasks: create, edit, list, detail, start, cancel, mark done, preview, the due scan.

Functions take the session and the corp or principal explicitly and never commit; work to
queue after commit comes back as :class:`~siyu.frontline.launch.Outbound`. Roles: admin,
operator and API keys manage every task; a manager sees the tasks (and the progress rows) of
their department subtree's employees; staff see only their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.broadcasts import service as broadcasts
from siyu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from siyu.core.pagination import encode_cursor, id_page_bounds
from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.corps.principal import Principal
from siyu.db.base import utcnow
from siyu.employees import service as employees
from siyu.frontline import launch as launcher
from siyu.frontline import progress
from siyu.frontline import repository as repo
from siyu.frontline.launch import Outbound, Signer
from siyu.frontline.models import FrontlineTask
from siyu.frontline.schemas import AudiencePreview, TaskIn, TaskOut, Totals
from siyu.segments import service as segments
from siyu.wecom.client import WeComClient

SYNC_EVERY = timedelta(minutes=10)
SYNC_AFTER_END = timedelta(days=3)


async def assignees_of(s: AsyncSession, corp_id: int, data: TaskIn) -> list[tuple[str, str]]:
    """``(userid, name)`` of the listed employees plus those of the departments (subtree)."""
    wanted = set(data.userids)
    if data.department_ids:
        wanted |= await repo.department_userids(s, corp_id, data.department_ids)
    found = {e.userid: e for e in await repo.employees(s, corp_id, sorted(wanted))}
    unknown = sorted(set(data.userids) - set(found))
    if unknown:
        raise InvalidInput(f"unknown employees: {', '.join(unknown[:20])}")
    names = await employees.display_names(s, corp_id, list(found))  # 胡军（华东销售部）
    people = [(u, names.get(u) or e.name) for u, e in sorted(found.items()) if e.active]
    if not people:
        raise InvalidInput("the task has no active employee (check the departments)")
    return people


async def _validate(s: AsyncSession, corp: Corp, data: TaskIn) -> list[tuple[str, str]]:
    if data.deadline <= utcnow():
        raise InvalidInput("the deadline is in the past")
    if data.kind != "todo" or data.content_ids:
        items = await launcher.content_items(s, corp.id, data.content_ids)
        launcher.check_content(data.kind, items)
    if data.targets.segment_id is not None:
        await segments.get(s, corp.id, data.targets.segment_id)  # NotFound: 404
    return await assignees_of(s, corp.id, data)


def _apply(task: FrontlineTask, data: TaskIn) -> None:
    task.name, task.description, task.kind = data.name, data.description, data.kind
    task.text, task.content_ids = data.text, list(data.content_ids)
    task.targets = data.targets.model_dump(mode="json")
    task.department_ids = list(data.department_ids)
    task.start_at, task.deadline = data.start_at, data.deadline
    task.remind_before_minutes = data.remind_before_minutes


async def create(s: AsyncSession, principal: Principal, data: TaskIn) -> FrontlineTask:
    """A draft task (admin and operator only); its assignees are resolved now."""
    principal.require_full_access()
    people = await _validate(s, principal.corp, data)
    task = FrontlineTask(corp_id=principal.corp_id, status="draft", created_by=principal.name)
    _apply(task, data)
    task.totals = {}
    s.add(task)
    await s.flush()
    await repo.replace_assignees(s, task.corp_id, task.id, people)
    return task


async def update(
    s: AsyncSession, principal: Principal, task_id: int, data: TaskIn
) -> FrontlineTask:
    principal.require_full_access()
    task = await get(s, principal, task_id)
    if task.status != "draft":
        raise Conflict(f"only a draft can be edited; this task is {task.status}")
    people = await _validate(s, principal.corp, data)
    _apply(task, data)
    await repo.replace_assignees(s, task.corp_id, task.id, people)
    return task


async def delete(s: AsyncSession, principal: Principal, task_id: int) -> None:
    principal.require_full_access()
    task = await get(s, principal, task_id)
    if task.status != "draft":
        raise Conflict("only a draft can be deleted; cancel a started task instead")
    await s.delete(task)


async def get(s: AsyncSession, principal: Principal, task_id: int) -> FrontlineTask:
    task = await repo.get(s, principal.corp_id, task_id, principal.visible_userids)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    return task


async def detail(s: AsyncSession, principal: Principal, task_id: int) -> TaskOut:
    """The task with totals over the employees the principal may see."""
    task = await get(s, principal, task_id)
    return await to_out(s, principal, task)


async def to_out(s: AsyncSession, principal: Principal, task: FrontlineTask) -> TaskOut:
    people = await repo.all_assignees(s, task.corp_id, task.id, principal.visible_userids)
    out = TaskOut.model_validate(task)
    out.userids = [a.userid for a in people]
    if principal.visible_userids is None:
        out.totals = Totals.model_validate(task.totals or {})
    else:  # a scoped principal sees the totals of their own employees only
        out.totals = progress.summarize(people, without=[])
    return out


async def list_page(
    s: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    kind: str | None,
    keyword: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[FrontlineTask], str | None]:
    """Newest first, keyset by id, in the principal's scope."""
    t = FrontlineTask
    stmt = repo.tasks(principal.corp_id, principal.visible_userids)
    if status:
        stmt = stmt.where(t.status == status)
    if kind:
        stmt = stmt.where(t.kind == kind)
    if keyword:
        stmt = stmt.where(t.name.like(f"%{keyword}%"))
    after = id_page_bounds(cursor)
    if after is not None:
        stmt = stmt.where(t.id < after)
    rows = list((await s.scalars(stmt.order_by(t.id.desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor([rows[-1].id]) if more and rows else None


async def preview(s: AsyncSession, principal: Principal, data: TaskIn) -> AudiencePreview:
    """Employees and targets the task would have if started now."""
    principal.require_full_access()
    people = await _validate(s, principal.corp, data)
    task = FrontlineTask(corp_id=principal.corp_id, kind=data.kind, deadline=data.deadline)
    _apply(task, data)
    userids = [u for u, _ in people]
    counts = await launcher.target_counts(s, principal.corp, task, userids)
    names = dict(people)
    return AudiencePreview(
        employees=len(people),
        targets=sum(counts.values()),
        by_employee=[
            {"userid": u, "name": names[u], "targets": counts.get(u, 0)} for u in userids[:500]
        ],
        missing_userids=[u for u in userids if not counts.get(u)],
    )


async def start(
    s: AsyncSession, principal: Principal, task_id: int, *, signer: Signer, now: datetime
) -> tuple[FrontlineTask, Outbound]:
    """Start now, or schedule for its start time; the launch happens once (status guard)."""
    principal.require_full_access()
    task = await get(s, principal, task_id)
    if task.status != "draft":
        raise Conflict(f"the task is already {task.status}")
    if task.deadline <= now:
        raise InvalidInput("the deadline has passed; edit the task first")
    if task.start_at is not None and task.start_at > now:
        task.status = "scheduled"
        return task, Outbound()
    return task, await launcher.launch(s, principal.corp, task, now=now, signer=signer)


async def cancel(
    s: AsyncSession, principal: Principal, task_id: int, *, client: WeComClient
) -> list[str]:
    """Stop the task; unsent mass messages are cancelled in WeCom; errors per message."""
    principal.require_full_access()
    task = await get(s, principal, task_id)
    if task.status in ("ended", "cancelled"):
        raise Conflict(f"the task is already {task.status}")
    task.status, task.cancelled_at = "cancelled", utcnow()
    errors: list[str] = []
    for bid in await _broadcast_ids(s, task):
        b = await broadcasts.get(s, principal.corp, bid)
        if b.status not in ("cancelled", "failed"):
            errors += (await broadcasts.cancel(s, principal.corp, bid, client=client)).errors
    return errors


async def _broadcast_ids(s: AsyncSession, task: FrontlineTask) -> list[int]:
    if task.broadcast_id is not None:
        return [task.broadcast_id]
    return [
        a.broadcast_id
        for a in await repo.all_assignees(s, task.corp_id, task.id)
        if a.broadcast_id is not None
    ]


async def broadcast_ids(s: AsyncSession, corp_id: int, task_id: int) -> list[int]:
    task = await repo.get(s, corp_id, task_id)
    return await _broadcast_ids(s, task) if task else []


async def mark_done(s: AsyncSession, principal: Principal, task_id: int, *, done: bool) -> Any:
    """A to-do's employee marks their part done (or not); only for themselves."""
    task = await get(s, principal, task_id)
    if task.kind != "todo":
        raise InvalidInput("only to-dos are marked done by hand; sends are tracked from WeCom")
    if task.status != "running":
        raise Conflict(f"the task is {task.status}")
    if not principal.userid:
        raise Forbidden("only an employee's own console user can mark their part done")
    mine = [
        a
        for a in await repo.all_assignees(s, task.corp_id, task.id)
        if a.userid == principal.userid
    ]
    if not mine:
        raise Forbidden("you are not assigned to this task")
    a = mine[0]
    a.done, a.sent = done, int(done)
    a.completed_at = utcnow() if done else None
    a.assigned = 1
    await progress.refresh(s, task)
    return a


async def due(s: AsyncSession, *, now: datetime, signer: Signer) -> dict[str, Any]:
    """The minute's scan over every corp: launch scheduled tasks, end those past their
    deadline, pick tasks for the automatic reminder and for a result sync."""
    t = FrontlineTask
    launched: list[tuple[int, Outbound]] = []
    remind: list[tuple[int, int]] = []
    sync: list[tuple[int, int]] = []
    for task in (
        await s.scalars(select(t).where(t.status == "scheduled", t.start_at <= now))
    ).all():
        corp = await corps.get(s, task.corp_id)
        try:
            async with s.begin_nested():
                got = await launcher.launch(s, corp, task, now=now, signer=signer)
        except Conflict:  # another tick launched it
            continue
        except InvalidInput as exc:  # e.g. nobody left to send to: ended, with the reason
            task.status, task.ended_at = "ended", now
            task.totals = {**(task.totals or {}), "error": exc.message[:300]}
            continue
        launched.append((task.corp_id, got))
    running = (await s.scalars(select(t).where(t.status == "running"))).all()
    for task in running:
        if task.deadline <= now:
            task.status, task.ended_at = "ended", now
            sync.append((task.corp_id, task.id))
            continue
        before = timedelta(minutes=task.remind_before_minutes)
        if (
            task.remind_before_minutes
            and task.auto_reminded_at is None
            and now >= task.deadline - before
        ):
            # at most once, even with two ticks at once or a lost reminder job
            unreminded = [t.auto_reminded_at.is_(None)]
            if await repo.claim(s, task, expect="running", where=unreminded, auto_reminded_at=now):
                task.auto_reminded_at = now
                remind.append((task.corp_id, task.id))
        if task.synced_at is None or task.synced_at < now - SYNC_EVERY:
            sync.append((task.corp_id, task.id))
    recent = (
        await s.scalars(
            select(t).where(
                t.status.in_(("ended", "cancelled")),
                func.coalesce(t.ended_at, t.cancelled_at) > now - SYNC_AFTER_END,
                (t.synced_at.is_(None)) | (t.synced_at < now - SYNC_EVERY),
            )
        )
    ).all()
    sync += [(x.corp_id, x.id) for x in recent if (x.corp_id, x.id) not in sync]
    return {"launched": launched, "remind": remind, "sync": sync}
