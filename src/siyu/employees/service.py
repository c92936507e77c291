"""Employee and department reads."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core import sorting
from siyu.core.errors import NotFound
from siyu.customers.models import FollowRelation
from siyu.db.repository import scoped
from siyu.employees.models import Department, Employee
from siyu.employees.schemas import DepartmentOut, EmployeeOut


async def _customer_counts(
    session: AsyncSession, corp_id: int, userids: list[str]
) -> dict[str, int]:
    if not userids:
        return {}
    rows = await session.execute(
        select(FollowRelation.userid, func.count())
        .where(
            FollowRelation.corp_id == corp_id,
            FollowRelation.userid.in_(userids),
            FollowRelation.deleted_at.is_(None),
        )
        .group_by(FollowRelation.userid)
    )
    return {u: int(n) for u, n in rows.all()}


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
    """Employees in ``sort`` order (see ``SORTS``), each with their customer count."""
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
    counts = await _customer_counts(session, corp_id, [e.userid for e in rows])
    items = []
    for e in rows:
        out = EmployeeOut.model_validate(e)
        out.customers = counts.get(e.userid, 0)
        items.append(out)
    return items, nxt


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
    out.customers = (await _customer_counts(session, corp_id, [userid])).get(userid, 0)
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
