"""Group chat API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class GroupChatOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    chat_id: str
    name: str
    owner: str
    owner_name: str = Field(
        default="", description="the owner's name (department beside a shared name)"
    )
    notice: str
    status: int
    member_count: int
    created_at_wecom: datetime | None
    dismissed_at: datetime | None


class GroupMemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: str
    type: int
    name: str
    group_nickname: str
    join_time: datetime | None
    join_scene: int
    invitor: str
    state: str
    left_at: datetime | None
    customer_id: int | None = None


class GroupChatDetail(GroupChatOut):
    members: list[GroupMemberOut] = Field(default_factory=list)
