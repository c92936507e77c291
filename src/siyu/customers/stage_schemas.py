"""Customer stages in and out of the API (see ``siyu.customers.stages``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.bounds import Id

Kind = Literal["open", "won", "lost"]


class CustomerStageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: Kind
    position: int
    customers: int = 0


def _name(v: str | None) -> str | None:
    if v is None:
        return None
    v = v.strip()
    if not v:
        raise ValueError("the stage name cannot be blank")
    return v


class CustomerStageIn(BaseModel):
    name: str = Field(max_length=30)
    kind: Kind = "open"

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str) -> str:
        return _name(v) or ""


class CustomerStagePatch(BaseModel):
    name: str | None = Field(default=None, max_length=30)
    kind: Kind | None = None

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return _name(v)


class StageOrderIn(BaseModel):
    ids: list[Id] = Field(
        max_length=100, description="every stage id of the corp, in the new order"
    )


class SetStageIn(BaseModel):
    stage_id: Id
    note: str = Field(default="", max_length=500)
