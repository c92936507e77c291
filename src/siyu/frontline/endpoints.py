"""Frontline task routes (营销任务): CRUD, preview, start, cancel, remind, sync, mark done,
per-employee progress with export, and leaderboards (per task and over a period)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from siyu.acquisition.tasks import send_app_message
from siyu.core import export
from siyu.core.bounds import Id
from siyu.core.errors import Forbidden
from siyu.core.pagination import Page
from siyu.core.times import Zoned
from siyu.corps.deps import PrincipalDep, SessionDep, SettingsDep, WeComDep
from siyu.db.base import utcnow
from siyu.frontline import mine, progress, service
from siyu.frontline.launch import Signer
from siyu.frontline.schemas import (
    AssigneeOut,
    AudiencePreview,
    MyTaskOut,
    RankRow,
    RemindResult,
    TaskIn,
    TaskOut,
)
from siyu.frontline.tasks import enqueue, sync_task
from siyu.messaging import outbox

router = APIRouter(prefix="/tasks", tags=["tasks"])
LIST_HEADERS = [
    "ID",
    "名称",
    "类型",
    "状态",
    export.Time("截止时间"),
    "员工数",
    "已完成员工",
    "目标数",
    "已发送",
    "完成率",
    "打开次数",
]
EMPLOYEE_HEADERS = [
    "员工ID",
    "员工",
    "目标数",
    "已发送",
    "未发送",
    "失败",
    "完成率",
    "已完成",
    export.Time("完成时间"),
    "逾期",
    "打开次数",
    "打开客户",
    "提醒次数",
]
RANK_HEADERS = [
    "排名",
    "员工ID",
    "员工",
    "任务数",
    "目标数",
    "已发送",
    "完成率",
    "完成任务",
    "打开次数",
    "打开客户",
]


class DoneIn(BaseModel):
    done: bool = True


def _file(data: bytes, fmt: str, name: str) -> Response:
    return Response(
        data,
        media_type=export.MEDIA[fmt],  # type: ignore[index]
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


async def _rows(items: Sequence[Any]) -> AsyncIterator[Sequence[Any]]:
    for row in items:
        yield row


@router.post("/preview", response_model=AudiencePreview)
async def preview(session: SessionDep, principal: PrincipalDep, body: TaskIn) -> AudiencePreview:
    """Employees and customers (or groups) the task would reach if started now."""
    return await service.preview(session, principal, body)


@router.post("", response_model=TaskOut, status_code=201)
async def create(session: SessionDep, principal: PrincipalDep, body: TaskIn) -> TaskOut:
    """A draft; start it with POST /tasks/{id}/start."""
    task = await service.create(session, principal, body)
    return await service.to_out(session, principal, task)


@router.get("", response_model=Page[TaskOut])
async def list_tasks(
    session: SessionDep,
    principal: PrincipalDep,
    status: str | None = None,
    kind: str | None = None,
    keyword: str | None = Query(default=None, max_length=50),
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=200),
) -> Page[TaskOut]:
    rows, nxt = await service.list_page(
        session, principal, status=status, kind=kind, keyword=keyword, cursor=cursor, limit=limit
    )
    return Page(items=[await service.to_out(session, principal, t) for t in rows], next_cursor=nxt)


@router.get("/export", response_class=Response)
async def export_tasks(
    session: SessionDep,
    principal: PrincipalDep,
    status: str | None = None,
    kind: str | None = None,
    format: str = "xlsx",
) -> Response:
    fmt = export.check_format(format)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        cursor: str | None = None
        while True:
            page, cursor = await service.list_page(
                session, principal, status=status, kind=kind, keyword=None, cursor=cursor, limit=200
            )
            for t in page:
                x = (await service.to_out(session, principal, t)).totals
                yield [
                    t.id,
                    t.name,
                    t.kind,
                    t.status,
                    t.deadline,
                    x.employees,
                    x.employees_done,
                    x.assigned,
                    x.sent,
                    x.completion_rate,
                    x.opens,
                ]
            if cursor is None:
                return

    tz = principal.corp.timezone
    return _file(await export.render(fmt, LIST_HEADERS, rows(), sheet="tasks", tz=tz), fmt, "tasks")


def _period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    end = until or utcnow()
    return since or end - timedelta(days=30), end


@router.get("/leaderboard", response_model=list[RankRow])
async def period_leaderboard(
    session: SessionDep,
    principal: PrincipalDep,
    since: Zoned | None = Query(
        default=None, description="tasks started at or after (default: 30 days ago)"
    ),
    until: Zoned | None = Query(default=None, description="tasks started before (default: now)"),
) -> list[RankRow]:
    """Employees ranked by completion rate, then radar opens, over the tasks of a period."""
    a, b = _period(since, until)
    return await progress.period_leaderboard(
        session, principal.corp_id, principal.visible_userids, since=a, until=b
    )


@router.get("/leaderboard/export", response_class=Response)
async def export_period_leaderboard(
    session: SessionDep,
    principal: PrincipalDep,
    since: Zoned | None = None,
    until: Zoned | None = None,
    format: str = "xlsx",
) -> Response:
    fmt = export.check_format(format)
    a, b = _period(since, until)
    rows = await progress.period_leaderboard(
        session, principal.corp_id, principal.visible_userids, since=a, until=b
    )
    data = await export.render(
        fmt,
        RANK_HEADERS,
        _rows([_rank(r) for r in rows]),
        sheet="leaderboard",
        tz=principal.corp.timezone,
    )
    return _file(data, fmt, "task-leaderboard")


def _rank(r: RankRow) -> list[Any]:
    return [
        r.rank,
        r.userid,
        r.name,
        r.tasks,
        r.assigned,
        r.sent,
        r.completion_rate,
        r.done,
        r.opens,
        r.opened_customers,
    ]


@router.get("/mine", response_model=list[MyTaskOut])
async def my_tasks(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    external_userid: str | None = Query(
        default=None, max_length=64, description="the chat's customer (the sidebar's)"
    ),
) -> list[MyTaskOut]:
    """The signed-in employee's running tasks with their own progress; with the chat's customer,
    whether they are a target and the content to send them (the employee's own radar links)."""
    signer = Signer(settings.secret_key.get_secret_value(), settings.base_url)
    return await mine.my_tasks(session, principal, external_userid=external_userid, signer=signer)


@router.get("/{task_id}", response_model=TaskOut)
async def detail(session: SessionDep, principal: PrincipalDep, task_id: Id) -> TaskOut:
    """The task and its totals (a manager's or staff member's totals cover their own scope)."""
    return await service.detail(session, principal, task_id)


@router.put("/{task_id}", response_model=TaskOut)
async def update(
    session: SessionDep, principal: PrincipalDep, task_id: Id, body: TaskIn
) -> TaskOut:
    task = await service.update(session, principal, task_id, body)
    return await service.to_out(session, principal, task)


@router.delete("/{task_id}", status_code=204)
async def delete(session: SessionDep, principal: PrincipalDep, task_id: Id) -> Response:
    await service.delete(session, principal, task_id)
    return Response(status_code=204)


@router.post("/{task_id}/start", response_model=TaskOut)
async def start(
    session: SessionDep, principal: PrincipalDep, settings: SettingsDep, task_id: Id
) -> TaskOut:
    """Start now (broadcast created, employees notified) or, with a future start, schedule."""
    signer = Signer(settings.secret_key.get_secret_value(), settings.base_url)
    task, out = await service.start(session, principal, task_id, signer=signer, now=utcnow())
    enqueue(session, principal.corp_id, out)
    return await service.to_out(session, principal, task)


@router.post("/{task_id}/cancel", response_model=TaskOut)
async def cancel(
    session: SessionDep, principal: PrincipalDep, client: WeComDep, task_id: Id
) -> TaskOut:
    """Stop the task; mass messages employees have not sent yet are cancelled in WeCom."""
    await service.cancel(session, principal, task_id, client=client)
    outbox.enqueue(session, sync_task, principal.corp_id, task_id)
    return await service.detail(session, principal, task_id)


@router.post("/{task_id}/remind", response_model=RemindResult)
async def remind(
    session: SessionDep, principal: PrincipalDep, client: WeComDep, task_id: Id
) -> RemindResult:
    """Remind employees who have not finished (a manager: those of their departments)."""
    if principal.role == "staff":
        raise Forbidden("the staff role may not remind other employees")
    task = await service.get(session, principal, task_id)
    result, msgs = await progress.remind(
        session,
        task,
        principal.visible_userids,
        client=client,
        now=utcnow(),
        tz=principal.corp.timezone,
    )
    for mid in msgs:
        outbox.enqueue(session, send_app_message, principal.corp_id, mid)
    return result


@router.post("/{task_id}/sync", status_code=202)
async def sync(session: SessionDep, principal: PrincipalDep, task_id: Id) -> dict[str, str]:
    """Queue a sync of WeCom's send results now (it also runs every 10 minutes)."""
    task = await service.get(session, principal, task_id)
    outbox.enqueue(session, sync_task, principal.corp_id, task.id)
    return {"status": "queued"}


@router.post("/{task_id}/done", response_model=AssigneeOut)
async def mark_done(
    session: SessionDep, principal: PrincipalDep, task_id: Id, body: DoneIn
) -> AssigneeOut:
    """A to-do: the signed-in employee marks their own part done (or undone)."""
    a = await service.mark_done(session, principal, task_id, done=body.done)
    return progress.out(a, await service.get(session, principal, task_id))


@router.get("/{task_id}/employees", response_model=Page[AssigneeOut])
async def employees(
    session: SessionDep,
    principal: PrincipalDep,
    task_id: Id,
    done: bool | None = None,
    keyword: str | None = Query(default=None, max_length=50),
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> Page[AssigneeOut]:
    """Per-employee progress: assigned, sent, not sent, failed, rate, completed at, opens."""
    task = await service.get(session, principal, task_id)
    rows, nxt = await progress.page(
        session,
        task,
        principal.visible_userids,
        done=done,
        keyword=keyword,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=rows, next_cursor=nxt)


@router.get("/{task_id}/employees/export", response_class=Response)
async def export_employees(
    session: SessionDep,
    principal: PrincipalDep,
    task_id: Id,
    done: bool | None = None,
    format: str = "xlsx",
) -> Response:
    fmt = export.check_format(format)
    task = await service.get(session, principal, task_id)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        cursor: str | None = None
        while True:
            page, cursor = await progress.page(
                session,
                task,
                principal.visible_userids,
                done=done,
                keyword=None,
                cursor=cursor,
                limit=500,
            )
            for r in page:
                yield [
                    r.userid,
                    r.name,
                    r.assigned,
                    r.sent,
                    r.not_sent,
                    r.failed,
                    r.completion_rate,
                    "是" if r.done else "否",
                    r.completed_at,
                    "是" if r.late else "",
                    r.opens,
                    r.opened_customers,
                    r.reminds,
                ]
            if cursor is None:
                return

    data = await export.render(
        fmt, EMPLOYEE_HEADERS, rows(), sheet="employees", tz=principal.corp.timezone
    )
    return _file(data, fmt, f"task-{task_id}-employees")


@router.get("/{task_id}/leaderboard", response_model=list[RankRow])
async def task_leaderboard(
    session: SessionDep, principal: PrincipalDep, task_id: Id
) -> list[RankRow]:
    task = await service.get(session, principal, task_id)
    return await progress.task_leaderboard(session, task, principal.visible_userids)


@router.get("/{task_id}/leaderboard/export", response_class=Response)
async def export_task_leaderboard(
    session: SessionDep, principal: PrincipalDep, task_id: Id, format: str = "xlsx"
) -> Response:
    fmt = export.check_format(format)
    task = await service.get(session, principal, task_id)
    rows = await progress.task_leaderboard(session, task, principal.visible_userids)
    data = await export.render(
        fmt,
        RANK_HEADERS,
        _rows([_rank(r) for r in rows]),
        sheet="leaderboard",
        tz=principal.corp.timezone,
    )
    return _file(data, fmt, f"task-{task_id}-leaderboard")
