"""Employee and department reads."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import or_
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
    return [EmployeeOut.model_validate(e) for e in rows], nxt


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
    return EmployeeOut.model_validate(e)


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
