"""To-dos: delivered steps for employees (sidebar, console), finishing them, overdue lists."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content import messages
from siyu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from siyu.core.export import Time
from siyu.core.pagination import encode_cursor, id_page_bounds
from siyu.corps.principal import Principal
from siyu.customers import timeline
from siyu.customers.models import Customer
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.employees import service as employees
from siyu.groups.models import GroupChat
from siyu.sop import runs
from siyu.sop.models import SopTask, SopTemplate
from siyu.sop.schemas import ContentPiece, TodoOut

STATUSES = ("open", "done", "skipped", "cancelled", "scheduled")


def _query(
    principal: Principal,
    *,
    now: datetime,
    status: str,
    userid: str | None,
    customer_id: int | None,
    template_id: int | None,
    overdue: bool,
    group_pk: int | None = None,
) -> Select[Any]:
    if status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
    stmt = scoped(SopTask, principal.corp_id).where(SopTask.status == status)
    visible = principal.visible_userids
    if userid:
        if not principal.can_see_userid(userid):
            raise Forbidden(f"you may not see employee {userid}'s to-dos")
        stmt = stmt.where(SopTask.userid == userid)
    elif visible is not None:
        stmt = stmt.where(SopTask.userid.in_(sorted(visible)))
    if customer_id is not None:
        stmt = stmt.where(SopTask.customer_id == customer_id)
    if template_id is not None:
        stmt = stmt.where(SopTask.template_id == template_id)
    if group_pk is not None:
        stmt = stmt.where(SopTask.group_pk == group_pk)
    if overdue:
        stmt = stmt.where(SopTask.status == "open", SopTask.overdue_at < now)
    return stmt


async def customer_by_external(session: AsyncSession, corp_id: int, external_userid: str) -> int:
    cid = await session.scalar(
        scoped(Customer, corp_id, Customer.id).where(Customer.external_userid == external_userid)
    )
    if cid is None:
        raise NotFound(f"customer {external_userid} does not exist")
    return int(cid)


async def group_by_chat(session: AsyncSession, corp_id: int, chat_id: str) -> int:
    pk = await session.scalar(
        scoped(GroupChat, corp_id, GroupChat.id).where(GroupChat.chat_id == chat_id)
    )
    if pk is None:
        raise NotFound(f"group chat {chat_id} does not exist")
    return int(pk)


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str = "open",
    userid: str | None = None,
    customer_id: int | None = None,
    template_id: int | None = None,
    overdue: bool = False,
    group_pk: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[TodoOut], str | None]:
    now = utcnow()
    stmt = _query(
        principal,
        now=now,
        status=status,
        userid=userid,
        customer_id=customer_id,
        template_id=template_id,
        overdue=overdue,
        group_pk=group_pk,
    )
    after = id_page_bounds(cursor)
    if after is not None:
        stmt = stmt.where(SopTask.id < after)
    rows = list((await session.scalars(stmt.order_by(SopTask.id.desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return await decorate(session, principal.corp_id, rows, now=now), (
        encode_cursor([rows[-1].id]) if more and rows else None
    )


async def decorate(
    session: AsyncSession, corp_id: int, rows: Sequence[SopTask], *, now: datetime
) -> list[TodoOut]:
    if not rows:
        return []
    tpl = dict(
        (
            await session.execute(
                select(SopTemplate.id, SopTemplate.name).where(
                    SopTemplate.id.in_({r.template_id for r in rows})
                )
            )
        ).all()
    )
    cust = {
        i: (n, e)
        for i, n, e in (
            await session.execute(
                select(Customer.id, Customer.name, Customer.external_userid).where(
                    Customer.id.in_({r.customer_id for r in rows if r.customer_id})
                )
            )
        )
    }
    groups = {
        i: (c, n)
        for i, c, n in (
            await session.execute(
                select(GroupChat.id, GroupChat.chat_id, GroupChat.name).where(
                    GroupChat.id.in_({r.group_pk for r in rows if r.group_pk})
                )
            )
        )
    }
    emps = await employees.display_names(session, corp_id, {r.userid for r in rows})
    out = []
    for r in rows:
        name, ext = cust.get(r.customer_id or 0, ("", ""))
        chat_id, gname = groups.get(r.group_pk or 0, ("", ""))
        out.append(
            TodoOut(
                id=r.id,
                template_id=r.template_id,
                template_name=tpl.get(r.template_id, ""),
                position=r.position,
                status=r.status,
                userid=r.userid,
                employee_name=emps.get(r.userid, ""),
                customer_id=r.customer_id,
                customer_name=name,
                external_userid=ext,
                chat_id=chat_id,
                group_name=gname,
                due_at=r.due_at,
                overdue=r.status == "open" and r.overdue_at is not None and r.overdue_at < now,
                finished_at=r.finished_at,
                content=[ContentPiece(**p) for p in (r.content or {}).get("pieces", [])],
            )
        )
    return out


async def finish(
    session: AsyncSession, principal: Principal, task_id: int, *, status: str
) -> TodoOut:
    """Mark a delivered step done (sent) or skipped; done steps go on the customer's timeline."""
    task = await session.scalar(scoped(SopTask, principal.corp_id).where(SopTask.id == task_id))
    if task is None or not principal.can_see_userid(task.userid):
        raise NotFound(f"to-do {task_id} does not exist")
    if principal.role == "staff" and task.userid != principal.userid:
        raise Forbidden("this to-do belongs to another employee")
    if task.status != "open":
        raise Conflict(f"to-do {task_id} is {task.status}, not open")
    now = utcnow()
    task.status, task.finished_at, task.finished_by = status, now, principal.name[:100]
    if status == "done" and task.customer_id is not None:
        name = await session.scalar(
            select(SopTemplate.name).where(SopTemplate.id == task.template_id)
        )
        await timeline.record(
            session,
            [
                timeline.entry(
                    principal.corp_id,
                    task.customer_id,
                    timeline.SOP_STEP_DONE,
                    at=now,
                    userid=task.userid,
                    template_id=task.template_id,
                    template=name or "",
                    step=task.position,
                    text=f"{name or ''} · 第 {task.position} 步",
                )
            ],
        )
    if status == "done":  # the step's library items went out in a message: one send each
        sent = [p["item_id"] for p in (task.content or {}).get("pieces", []) if p.get("item_id")]
        await messages.count_send(
            session, principal.corp_id, [messages.reference(int(i)) for i in sent]
        )
    await session.flush()
    await runs.complete_if_finished(session, principal.corp_id, task.run_id, now=now)
    return (await decorate(session, principal.corp_id, [task], now=now))[0]


EXPORT_HEADERS = ["SOP", "步骤", "员工", "客户", "客户群", Time("到期时间"), "状态"]


async def export_rows(
    session: AsyncSession,
    principal: Principal,
    *,
    overdue: bool,
    status: str,
    userid: str | None,
    template_id: int | None,
) -> AsyncIterator[list[Any]]:
    cursor = None
    while True:
        items, cursor = await page(
            session,
            principal,
            status=status,
            userid=userid,
            template_id=template_id,
            overdue=overdue,
            cursor=cursor,
            limit=500,
        )
        for t in items:
            yield [
                t.template_name,
                t.position,
                t.employee_name or t.userid,
                t.customer_name,
                t.group_name,
                t.due_at,
                "逾期" if t.overdue else t.status,
            ]
        if cursor is None:
            return
