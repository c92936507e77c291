"""Overdue follow-ups per employee, for managers: grouped, filtered, paged and exported.

Overdue: due before now, on a live relation. Scope: staff see their own, managers their
department subtree's employees, admins and operators every employee (``visible_userids``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import InvalidInput
from siyu.core.export import Time
from siyu.corps.principal import Principal
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.profile_models import FollowUp
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.employees import service as employees
from siyu.employees.models import Employee

ITEMS_PER_EMPLOYEE = 20


class OverdueFollowUp(BaseModel):
    customer_id: int
    name: str
    remark: str
    due_at: datetime
    note: str


class OverdueEmployee(BaseModel):
    userid: str
    name: str
    overdue: int
    oldest_due_at: datetime
    follow_ups: list[OverdueFollowUp]


class OverduePage(BaseModel):
    items: list[OverdueEmployee]
    total: int


async def _userids(
    session: AsyncSession, principal: Principal, department_id: int | None, userid: str | None
) -> list[str] | None:
    """The employees to show: the principal's scope narrowed by the filters (None: all)."""
    wanted: set[str] | None = (
        None if principal.visible_userids is None else set(principal.visible_userids)
    )
    if userid:
        wanted = {userid} if wanted is None else wanted & {userid}
    if department_id is not None:
        parents = await employees.department_parents(session, principal.corp_id)
        if department_id not in parents:
            raise InvalidInput(f"部门 {department_id} 不存在")
        subtree = {department_id}
        while more := {d for d, p in parents.items() if p in subtree} - subtree:
            subtree |= more
        rows = await session.execute(
            scoped(Employee, principal.corp_id, Employee.userid, Employee.department_ids)
        )
        members = {str(u) for u, ids in rows.all() if subtree & set(ids or [])}
        wanted = members if wanted is None else wanted & members
    return None if wanted is None else sorted(wanted)


def _base(corp_id: int, now: datetime, userids: list[str] | None) -> Select[Any]:
    stmt = (
        select(FollowUp.userid)
        .join(
            FollowRelation,
            and_(
                FollowRelation.customer_id == FollowUp.customer_id,
                FollowRelation.userid == FollowUp.userid,
                FollowRelation.deleted_at.is_(None),
            ),
        )
        .where(FollowUp.corp_id == corp_id, FollowUp.due_at < now)
    )
    if userids is not None:
        stmt = stmt.where(FollowUp.userid.in_(userids))
    return stmt


async def overdue(
    session: AsyncSession,
    principal: Principal,
    *,
    department_id: int | None = None,
    userid: str | None = None,
    offset: int = 0,
    limit: int = 20,
    now: datetime | None = None,
) -> OverduePage:
    """Employees with overdue follow-ups, most overdue first, each with the oldest few."""
    now = now or utcnow()
    userids = await _userids(session, principal, department_id, userid)
    if userids == []:
        return OverduePage(items=[], total=0)
    base = _base(principal.corp_id, now, userids)
    groups = base.with_only_columns(
        FollowUp.userid, func.count().label("n"), func.min(FollowUp.due_at).label("oldest")
    ).group_by(FollowUp.userid)
    total = int(await session.scalar(select(func.count()).select_from(groups.subquery())) or 0)
    rows = (
        await session.execute(
            groups.order_by(func.count().desc(), FollowUp.userid).offset(offset).limit(limit)
        )
    ).all()
    names = await employees.display_names(session, principal.corp_id, [u for u, _, _ in rows])
    items = []
    for u, n, oldest in rows:
        detail = (
            await session.execute(
                base.with_only_columns(FollowUp, Customer.name, FollowRelation.remark)
                .join(Customer, Customer.id == FollowUp.customer_id)
                .where(FollowUp.userid == u)
                .order_by(FollowUp.due_at, FollowUp.customer_id)
                .limit(ITEMS_PER_EMPLOYEE)
            )
        ).all()
        items.append(
            OverdueEmployee(
                userid=u,
                name=names.get(u, u),
                overdue=int(n),
                oldest_due_at=oldest,
                follow_ups=[
                    OverdueFollowUp(
                        customer_id=f.customer_id,
                        name=cname,
                        remark=remark,
                        due_at=f.due_at,
                        note=f.note,
                    )
                    for f, cname, remark in detail
                ],
            )
        )
    return OverduePage(items=items, total=total)


EXPORT_HEADERS = ["员工", "员工账号", "客户", "客户备注", Time("跟进时间"), "跟进事项", "逾期天数"]


async def export_rows(
    session: AsyncSession,
    principal: Principal,
    *,
    department_id: int | None = None,
    userid: str | None = None,
) -> AsyncIterator[list[Any]]:
    """Every overdue follow-up in scope, by employee then oldest first (keyset pages of 500)."""
    now = utcnow()
    userids = await _userids(session, principal, department_id, userid)
    if userids == []:
        return
    base = _base(principal.corp_id, now, userids).with_only_columns(
        FollowUp, Customer.name, FollowRelation.remark
    )
    base = base.join(Customer, Customer.id == FollowUp.customer_id)
    names: dict[str, str] = {}
    after: tuple[str, datetime, int] | None = None
    while True:
        stmt = base
        if after is not None:
            u, at, cid = after
            stmt = stmt.where(
                (FollowUp.userid > u)
                | and_(FollowUp.userid == u, FollowUp.due_at > at)
                | and_(FollowUp.userid == u, FollowUp.due_at == at, FollowUp.customer_id > cid)
            )
        rows = (
            await session.execute(
                stmt.order_by(FollowUp.userid, FollowUp.due_at, FollowUp.customer_id).limit(500)
            )
        ).all()
        missing = {f.userid for f, _, _ in rows} - names.keys()
        names.update(await employees.display_names(session, principal.corp_id, missing))
        for f, cname, remark in rows:
            days = (now - f.due_at).days
            yield [names.get(f.userid, f.userid), f.userid, cname, remark, f.due_at, f.note, days]
        if len(rows) < 500:
            return
        last = rows[-1][0]
        after = (last.userid, last.due_at, last.customer_id)
