"""Group chat API shapes."""

from __future__ import annotations

from datetime import date, datetime

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


class ActivityDay(BaseModel):
    day: date = Field(description="a calendar day in the corp's time zone")
    joins: int
    leaves: int


class MemberFlags(BaseModel):
    """Current members by what they are to the corp."""

    employees: int
    customers: int = Field(description="followed by an employee of the corp now")
    lost_customers: int = Field(description="customers no employee follows any more")
    not_customers: int = Field(description="WeChat users no employee has added")


class TagCount(BaseModel):
    tag_id: str
    name: str
    group_name: str
    customers: int = Field(description="current members who carry the tag (on a live relation)")


class MemberTags(BaseModel):
    member_id: str
    #: customer | lost_customer | not_a_customer
    flag: str
    tags: list[str] = Field(default_factory=list, description="tag names")


class GroupActivity(BaseModel):
    chat_id: str
    start: date
    end: date
    timezone: str
    days: list[ActivityDay]
    joins: int
    leaves: int
    members: MemberFlags
    tags: list[TagCount] = Field(description="tags among the customers in the group, most first")
    member_tags: list[MemberTags] = Field(description="per external member: flag and tags")
