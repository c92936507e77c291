"""Employee routes: the directory (``siyu.employees``) with each employee's customer count.

They live with the customer base because they show it; departments stay in ``siyu.employees``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from siyu.core.bounds import Int32
from siyu.core.pagination import Page
from siyu.corps.deps import PrincipalDep, SessionDep
from siyu.customers import repository as repo
from siyu.employees import service as employees
from siyu.employees.schemas import EmployeeOut

router = APIRouter(tags=["employees"])


@router.get("/employees", response_model=Page[EmployeeOut])
async def list_employees(
    session: SessionDep,
    principal: PrincipalDep,
    keyword: str | None = None,
    department: Int32 | None = None,
    customer_contact: bool | None = None,
    include_inactive: bool = False,
    sort: Annotated[
        str | None, Query(description="name, userid, position or id; - for descending")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[EmployeeOut]:
    items, nxt = await employees.list_employees(
        session,
        principal.corp_id,
        keyword=keyword,
        department=department,
        customer_contact=customer_contact,
        include_inactive=include_inactive,
        cursor=cursor,
        limit=limit,
        sort=sort,
    )
    counts = await repo.customer_counts(session, principal.corp_id, [e.userid for e in items])
    for item in items:
        item.customers = counts.get(item.userid, 0)
    return Page(items=items, next_cursor=nxt)


@router.get("/employees/{userid}", response_model=EmployeeOut)
async def get_employee(session: SessionDep, principal: PrincipalDep, userid: str) -> EmployeeOut:
    out = await employees.get_employee(session, principal.corp_id, userid)
    out.customers = (await repo.customer_counts(session, principal.corp_id, [userid])).get(
        userid, 0
    )
    return out
