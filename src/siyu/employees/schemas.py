"""Employee and department API shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    dept_id: int
    name: str
    parent_id: int | None
    order: int
    employees: int = 0


class EmployeeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    userid: str
    name: str
    display_name: str = Field(
        default="",
        description="the name with the department beside it when another employee shares it",
    )
    position: str
    department_ids: list[int]
    main_department: int | None
    status: int
    customer_contact: bool
    active: bool
    customers: int = 0
