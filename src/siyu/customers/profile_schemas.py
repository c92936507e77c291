"""Pydantic in/out of the customer's editable profile, custom fields and follow-ups.

Strings are bounded loosely here (every input is bounded); WeCom's own limits and the field
rules are checked by the services, which answer in Chinese (the sidebar shows the sentence).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from siyu.core.bounds import Id
from siyu.core.times import Zoned


class CustomFieldIn(BaseModel):
    name: str = Field(max_length=100)
    type: str = Field(max_length=16, description="text, number, date or select")
    options: list[str] = Field(default_factory=list, max_length=100, description="select only")


class CustomFieldPatch(BaseModel):
    name: str | None = Field(default=None, max_length=100)
    options: list[str] | None = Field(default=None, max_length=100)


class CustomFieldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    type: str
    options: list[str]
    position: int


class FieldOrderIn(BaseModel):
    ids: list[Id] = Field(max_length=500)


class FieldValueIn(BaseModel):
    field_id: Id
    value: str | None = Field(default=None, max_length=1000, description="empty or null clears")


class ProfileIn(BaseModel):
    """Only what is given changes. ``userid``: whose follow relation the WeCom remark fields
    are (default: the signed-in employee)."""

    userid: str | None = Field(default=None, max_length=64)
    remark: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, max_length=1000)
    remark_company: str | None = Field(default=None, max_length=1000)
    remark_mobiles: list[str] | None = Field(default=None, max_length=50)
    birthday: str | None = Field(
        default=None, max_length=30, description="YYYY-MM-DD; empty clears"
    )
    custom_fields: list[FieldValueIn] | None = Field(default=None, max_length=200)


class RemarkWriteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str = Field(description="pending, sending, sent or failed")
    fields: dict[str, Any]
    error: str
    created_at: datetime
    sent_at: datetime | None


class FieldValueOut(BaseModel):
    field_id: int
    name: str
    type: str
    options: list[str]
    value: str | None


class FollowUpOut(BaseModel):
    due_at: datetime
    note: str


class ProfileOut(BaseModel):
    customer_id: int
    userid: str | None = Field(description="the follow relation shown (none: not followed)")
    remark: str = ""
    description: str = ""
    remark_company: str = ""
    remark_mobiles: list[str] = Field(default_factory=list)
    is_wechat_user: bool = Field(description="remark_company only takes effect for WeChat users")
    write: RemarkWriteOut | None = Field(
        default=None, description="the latest write of these fields to WeCom"
    )
    birthday: date | None = None
    custom_fields: list[FieldValueOut] = Field(default_factory=list)
    follow_up: FollowUpOut | None = None


class FollowUpIn(BaseModel):
    userid: str | None = Field(default=None, max_length=64)
    due_at: Zoned | None = Field(default=None, description="null clears the follow-up")
    note: str = Field(default="", max_length=500)


class FollowUpItem(BaseModel):
    customer_id: int
    external_userid: str
    name: str
    avatar: str
    remark: str
    due_at: datetime
    note: str
    overdue: bool
