"""In/out of group tags and the group sidebar."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from siyu.core.bounds import Id


class GroupTagIn(BaseModel):
    name: str = Field(max_length=100)


class GroupTagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    groups: int = Field(default=0, description="group chats carrying it")


class GroupTagsIn(BaseModel):
    tag_ids: list[Id] = Field(max_length=100)


class GroupTagRef(BaseModel):
    id: int
    name: str


class SidebarMember(BaseModel):
    member_id: str
    name: str
    group_nickname: str
    is_staff: bool
    is_owner: bool
    customer_id: int | None = None
    tags: list[str] = Field(default_factory=list, description="the customer's corp tag names")
    join_time: datetime | None
    join_scene: int


class MemberEvent(BaseModel):
    member_id: str
    name: str
    is_staff: bool
    kind: str = Field(description="joined or left")
    at: datetime


class GroupSidebar(BaseModel):
    id: int
    chat_id: str
    name: str
    owner: str
    owner_name: str
    notice: str
    member_count: int
    staff_count: int
    customer_count: int
    dismissed_at: datetime | None
    members: list[SidebarMember]
    history: list[MemberEvent] = Field(description="joins and leaves, newest first (at most 50)")
    tags: list[GroupTagRef]
