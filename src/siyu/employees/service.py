"""Employee and department reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core import sorting
from siyu.core.errors import NotFound
from siyu.db.repository import scoped
from siyu.employees.models import Department, Employee
from siyu.employees.schemas import DepartmentOut, EmployeeOut


async def list_employees(
    session: AsyncSession,
    corp_id: int,
    *,
    keyword: str | None = None,
    department: int | None = None,
    customer_contact: bool | None = None,
    include_inactive: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    sort: str | None = None,
) -> tuple[list[EmployeeOut], str | None]:
    """Employees in ``sort`` order (see ``SORTS``); ``customers`` is left 0 here (the customer
    base above fills it in: ``siyu.customers.employee_endpoints``)."""
    order = sorting.parse(sort, SORTS, "id")
    stmt = scoped(Employee, corp_id)
    if keyword:
        stmt = stmt.where(
            or_(Employee.name.like(f"%{keyword}%"), Employee.userid.like(f"%{keyword}%"))
        )
    if customer_contact is not None:
        stmt = stmt.where(Employee.customer_contact.is_(customer_contact))
    if not include_inactive:
        stmt = stmt.where(Employee.active.is_(True))
    stmt = sorting.apply(stmt, order, Employee.id, cursor).limit(limit + 1)
    page = sorting.page(list((await session.scalars(stmt)).all()), order, limit)
    rows, nxt = page.items, page.next_cursor
    if (
        department is not None
    ):  # department ids are a JSON list: filter in Python (pages may be short)
        rows = [e for e in rows if department in (e.department_ids or [])]
    names = await display_names(session, corp_id, [e.userid for e in rows])
    out = [EmployeeOut.model_validate(e) for e in rows]
    for e in out:
        e.display_name = names.get(e.userid, e.name)
    return out, nxt


SORTS = {
    "id": Employee.id,
    "name": Employee.name,
    "userid": Employee.userid,
    "position": Employee.position,
}


async def get_employee(session: AsyncSession, corp_id: int, userid: str) -> EmployeeOut:
    e = await session.scalar(scoped(Employee, corp_id).where(Employee.userid == userid))
    if e is None:
        raise NotFound(f"employee {userid} does not exist")
    out = EmployeeOut.model_validate(e)
    out.display_name = (await display_names(session, corp_id, [userid])).get(userid, e.name)
    return out


async def list_departments(session: AsyncSession, corp_id: int) -> list[DepartmentOut]:
    depts = (await session.scalars(scoped(Department, corp_id).order_by(Department.dept_id))).all()
    members: Counter[int] = Counter()
    for ids in (
        await session.scalars(
            scoped(Employee, corp_id, Employee.department_ids).where(Employee.active.is_(True))
        )
    ).all():
        members.update(ids or [])
    out = []
    for d in depts:
        item = DepartmentOut.model_validate(d)
        item.employees = members.get(d.dept_id, 0)
        out.append(item)
    return out


async def department_parents(session: AsyncSession, corp_id: int) -> dict[int, int | None]:
    """dept_id → parent dept_id (None at the root): the department tree."""
    rows = await session.execute(
        scoped(Department, corp_id, Department.dept_id, Department.parent_id)
    )
    return {d: p for d, p in rows.all()}


async def display_names(
    session: AsyncSession, corp_id: int, userids: Iterable[str]
) -> dict[str, str]:
    """userid → the name a person reads: the employee's name, with the main department beside
    it (``胡军（华东销售部）``) when another employee of the corp has the same name. Unknown
    userids are absent."""
    wanted = sorted({u for u in userids if u})
    if not wanted:
        return {}
    rows = (
        await session.execute(
            scoped(
                Employee, corp_id, Employee.userid, Employee.name, Employee.main_department
            ).where(Employee.userid.in_(wanted))
        )
    ).all()
    names = {u: n or u for u, n, _ in rows}
    shared = {
        n
        for n, count in (
            await session.execute(
                scoped(Employee, corp_id, Employee.name, func.count())
                .where(Employee.name.in_({n for _, n, _ in rows if n}))
                .group_by(Employee.name)
            )
        ).all()
        if count > 1
    }
    if not shared:
        return names
    depts = {
        d: n
        for d, n in (
            await session.execute(scoped(Department, corp_id, Department.dept_id, Department.name))
        ).all()
    }
    for u, n, dept in rows:
        if n in shared:
            names[u] = f"{n}（{depts.get(dept or 0) or u}）"
    return names
