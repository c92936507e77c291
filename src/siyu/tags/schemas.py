"""Tag API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.bounds import Id
from siyu.customers.schemas import CustomerFilter

TagName = Field(min_length=1, max_length=30)


def _tag_names(tags: list[str]) -> list[str]:
    clean = [t.strip() for t in tags]
    if any(not t or len(t) > 30 for t in clean):
        raise ValueError("each tag name must be 1–30 characters")
    if len(set(clean)) != len(clean):
        raise ValueError("tag names must be different")
    return clean


class TagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    tag_id: str
    name: str
    order: int
    customers: int = 0


class TagGroupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    group_id: str
    name: str
    order: int
    tags: list[TagOut] = Field(default_factory=list)


class TagGroupIn(BaseModel):
    name: str = TagName
    order: int = Field(default=0, ge=0, lt=2**32)
    tags: list[str] = Field(min_length=1, description="WeCom does not allow empty groups")

    _names = field_validator("tags")(_tag_names)


class TagsIn(BaseModel):
    tags: list[str] = Field(min_length=1)

    _names = field_validator("tags")(_tag_names)


class RenameIn(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=30)
    order: int | None = Field(default=None, ge=0, lt=2**32)


class DeleteIn(BaseModel):
    tag_ids: list[str] = Field(default_factory=list)
    group_ids: list[str] = Field(default_factory=list)


class BatchTagIn(BaseModel):
    """Tag/untag customers: by ids, or by a customer-list filter (all their live relations)."""

    add: list[str] = Field(default_factory=list, description="tag ids to add")
    remove: list[str] = Field(default_factory=list, description="tag ids to remove")
    customer_ids: list[Id] | None = Field(default=None, max_length=100_000)
    filter: CustomerFilter | None = None
    userid: str | None = Field(default=None, description="only this employee's relations")


class BatchTagJobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    add_tag_ids: list[str]
    remove_tag_ids: list[str]
    total: int
    done: int
    failed: int
    cancelled: int = Field(description="items not written because the job was cancelled")
    resumed: int = Field(description="times the job was picked up again after its run stopped")
    requested_by: str
    created_at: datetime
    updated_at: datetime
    errors: list[str] = Field(default_factory=list, description="reasons of failed items")
