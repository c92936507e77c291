"""SOP routes (/api/v1/sop): templates (admin / operator), stats, to-dos (scoped by role)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from siyu.core import export
from siyu.core.bounds import Id
from siyu.core.pagination import Page
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep
from siyu.db.base import utcnow
from siyu.employees import service as employees
from siyu.messaging import outbox
from siyu.sop import backfill, service, todos
from siyu.sop import repository as repo
from siyu.sop.schemas import (
    BackfillPreview,
    EmployeeStats,
    EnableIn,
    FinishIn,
    TemplateIn,
    TemplateOut,
    TemplateStatsOut,
    TodoOut,
)
from siyu.sop.tasks import sop_backfill

router = APIRouter(prefix="/sop", tags=["sop"])


@router.get("/templates", response_model=list[TemplateOut])
async def list_templates(session: SessionDep, corp: CorpDep) -> list[TemplateOut]:
    """Every SOP of the corp with its current steps and live counts."""
    return await service.out(session, corp.id, await repo.live_templates(session, corp.id))


@router.post("/templates", response_model=TemplateOut, status_code=201)
async def create_template(
    session: SessionDep, corp: CorpDep, principal: PrincipalDep, body: TemplateIn
) -> TemplateOut:
    """Create an SOP (disabled until enabled)."""
    tpl = await service.create(session, corp.id, body, created_by=principal.name)
    return (await service.out(session, corp.id, [tpl]))[0]


@router.get("/templates/{template_id}", response_model=TemplateOut)
async def get_template(session: SessionDep, corp: CorpDep, template_id: Id) -> TemplateOut:
    return (
        await service.out(session, corp.id, [await service.get(session, corp.id, template_id)])
    )[0]


@router.put("/templates/{template_id}", response_model=TemplateOut)
async def update_template(
    session: SessionDep, corp: CorpDep, template_id: Id, body: TemplateIn
) -> TemplateOut:
    """Edit an SOP: changed steps apply to runs started from now on (see docs/sop.md)."""
    tpl = await service.update(session, corp.id, template_id, body)
    return (await service.out(session, corp.id, [tpl]))[0]


@router.delete("/templates/{template_id}", status_code=204)
async def delete_template(session: SessionDep, corp: CorpDep, template_id: Id) -> None:
    await service.delete(session, corp.id, template_id)


@router.post("/templates/{template_id}/enable", response_model=TemplateOut)
async def enable_template(
    session: SessionDep, corp: CorpDep, template_id: Id, body: EnableIn | None = None
) -> TemplateOut:
    """Start listening to the trigger; ``backfill`` also starts customers already matching."""
    backfill = bool(body and body.backfill)
    tpl = await service.enable(session, corp.id, template_id, backfill=backfill)
    if backfill:
        outbox.enqueue(session, sop_backfill, corp.id, tpl.id)
    return (await service.out(session, corp.id, [tpl]))[0]


@router.get("/templates/{template_id}/backfill", response_model=BackfillPreview)
async def backfill_preview(session: SessionDep, corp: CorpDep, template_id: Id) -> BackfillPreview:
    """How many customers already match the trigger and would start with a backfill (asked
    before enabling; enabling with ``backfill`` starts them)."""
    tpl = await service.get(session, corp.id, template_id)
    matching, new = await backfill.preview(session, tpl)
    supported = tpl.target == "customer" and tpl.trigger_kind in ("channel", "tag_added")
    return BackfillPreview(supported=supported, matching=matching, new=new)


@router.post("/templates/{template_id}/disable", response_model=TemplateOut)
async def disable_template(session: SessionDep, corp: CorpDep, template_id: Id) -> TemplateOut:
    """Stop the SOP: no new runs, running ones stop and their pending steps are cancelled."""
    tpl = await service.disable(session, corp.id, template_id)
    return (await service.out(session, corp.id, [tpl]))[0]


@router.get("/templates/{template_id}/stats", response_model=TemplateStatsOut)
async def template_stats(session: SessionDep, corp: CorpDep, template_id: Id) -> TemplateStatsOut:
    """Runs and steps by state, per step and per employee (overdue first)."""
    tpl = await service.get(session, corp.id, template_id)
    now = utcnow()
    totals = (await repo.run_stats(session, corp.id, [tpl.id], now=now))[tpl.id]
    per = await repo.employee_stats(session, corp.id, tpl.id, now=now)
    names = await employees.display_names(session, corp.id, [p[0] for p in per])
    return TemplateStatsOut(
        totals=totals,
        steps=await repo.step_stats(session, corp.id, tpl.id, now=now),
        employees=[
            EmployeeStats(userid=u, name=names.get(u, ""), due=d, done=n, overdue=o)
            for u, d, n, o in per
        ],
    )


@router.get("/todos", response_model=Page[TodoOut])
async def list_todos(
    session: SessionDep,
    principal: PrincipalDep,
    status: str = "open",
    userid: str | None = Query(default=None, description="an employee (staff: only themselves)"),
    mine: bool = Query(default=False, description="only the signed-in employee's to-dos"),
    customer_id: Id | None = None,
    external_userid: str | None = Query(default=None, description="the sidebar's current chat"),
    chat_id: str | None = Query(
        default=None, max_length=64, description="the group sidebar's current group chat"
    ),
    template_id: Id | None = None,
    overdue: bool = False,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=200),
) -> Page[TodoOut]:
    """Delivered SOP steps, newest first, with the content ready to send.

    Staff see their own, managers their department subtree's, admins and operators all."""
    if external_userid:
        customer_id = await todos.customer_by_external(session, principal.corp_id, external_userid)
    if mine:
        userid = principal.userid or "-"
    group_pk = await todos.group_by_chat(session, principal.corp_id, chat_id) if chat_id else None
    items, nxt = await todos.page(
        session,
        principal,
        status=status,
        userid=userid,
        customer_id=customer_id,
        template_id=template_id,
        overdue=overdue,
        group_pk=group_pk,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=items, next_cursor=nxt)


@router.get("/todos/export")
async def export_todos(
    session: SessionDep,
    principal: PrincipalDep,
    format: str = "csv",
    status: str = "open",
    overdue: bool = False,
    userid: str | None = None,
    template_id: Id | None = None,
) -> Response:
    """The to-do list (e.g. ``overdue=true``) as CSV or XLSX, same filters and scope."""
    fmt = export.check_format(format)
    rows = todos.export_rows(
        session, principal, overdue=overdue, status=status, userid=userid, template_id=template_id
    )
    body = await export.render(
        fmt, todos.EXPORT_HEADERS, rows, sheet="SOP", tz=principal.corp.timezone
    )
    name = "sop-overdue" if overdue else "sop-todos"
    return Response(
        body,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.post("/todos/{task_id}/finish", response_model=TodoOut)
async def finish_todo(
    session: SessionDep, principal: PrincipalDep, task_id: Id, body: FinishIn
) -> TodoOut:
    """Mark a to-do done (sent to the customer) or skipped."""
    return await todos.finish(session, principal, task_id, status=body.status)
