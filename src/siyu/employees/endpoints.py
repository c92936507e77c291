"""Employee and department routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from siyu.api.deps import PrincipalDep, SessionDep
from siyu.core.pagination import Page
from siyu.employees import service
from siyu.employees.schemas import DepartmentOut, EmployeeOut

router = APIRouter(tags=["employees"])


@router.get("/employees", response_model=Page[EmployeeOut])
async def list_employees(
    session: SessionDep,
    principal: PrincipalDep,
    keyword: str | None = None,
    department: int | None = None,
    customer_contact: bool | None = None,
    include_inactive: bool = False,
    sort: Annotated[
        str | None, Query(description="name, userid, position or id; - for descending")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[EmployeeOut]:
    items, nxt = await service.list_employees(
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
    return Page(items=items, next_cursor=nxt)


@router.get("/employees/{userid}", response_model=EmployeeOut)
async def get_employee(session: SessionDep, principal: PrincipalDep, userid: str) -> EmployeeOut:
    return await service.get_employee(session, principal.corp_id, userid)


@router.get("/departments", response_model=list[DepartmentOut])
async def list_departments(session: SessionDep, principal: PrincipalDep) -> list[DepartmentOut]:
    return await service.list_departments(session, principal.corp_id)
