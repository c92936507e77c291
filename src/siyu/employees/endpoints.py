"""Department routes (the employee list, which shows customer counts, is
``siyu.customers.employee_endpoints``)."""

from __future__ import annotations

from fastapi import APIRouter

from siyu.corps.deps import PrincipalDep, SessionDep
from siyu.employees import service
from siyu.employees.schemas import DepartmentOut

router = APIRouter(tags=["employees"])


@router.get("/departments", response_model=list[DepartmentOut])
async def list_departments(session: SessionDep, principal: PrincipalDep) -> list[DepartmentOut]:
    return await service.list_departments(session, principal.corp_id)
