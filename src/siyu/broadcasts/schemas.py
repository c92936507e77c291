"""Broadcast requests and replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from siyu.content.schemas import ContentStats
from siyu.core.bounds import Id
from siyu.customers.schemas import CustomerFilter

CapRule = Literal["off", "month4", "days_of_month", "week7", "day1"]
ATTACHMENT_TYPES = ("image", "link", "miniprogram", "video", "file")
TEXT_MAX_BYTES = 4000


class Audience(BaseModel):
    """Who receives it: customers matching the filter, sent by (a subset of) their employees;
    or, with ``kind: group``, the customer group chats of these owners (all owners if empty)."""

    kind: Literal["customer", "group", "moment"] = "customer"
    visible_tag_ids: list[str] = Field(
        default_factory=list,
        description="moments: only customers with these tags see it (empty: every customer)",
    )

    filter: CustomerFilter = Field(default_factory=CustomerFilter)
    userids: list[str] = Field(
        default_factory=list, description="only these employees send (empty: any employee)"
    )
    segment_id: Id | None = Field(
        default=None,
        description="only current members of this saved segment (evaluated when planned)",
    )


class BroadcastCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    audience: Audience = Field(default_factory=Audience)
    text: str = ""
    attachments: list[dict[str, Any]] = Field(default_factory=list, max_length=9)
    content_item_id: Id | None = Field(
        default=None,
        description="a library item to attach (links go out as radar links; customer and "
        "group broadcasts)",
    )
    scheduled_at: datetime | None = Field(default=None, description="UTC; empty sends now")

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        if len(v.encode()) > TEXT_MAX_BYTES:
            raise ValueError(f"text exceeds {TEXT_MAX_BYTES} bytes (WeCom's limit)")
        return v

    @field_validator("attachments")
    @classmethod
    def _attachments(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for att in v:
            kind = att.get("msgtype")
            if kind not in ATTACHMENT_TYPES or not isinstance(att.get(kind), dict):
                raise ValueError(
                    "each attachment is {msgtype: image|link|miniprogram|video|file, <msgtype>: {}}"
                )
        return v

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("scheduled_at needs a time zone (e.g. 2026-05-01T20:00:00+08:00)")
        return v

    @model_validator(mode="after")
    def _content(self) -> BroadcastCreate:
        if not self.text and not self.attachments and self.content_item_id is None:
            raise ValueError("text and attachments may not both be empty")
        if self.content_item_id is not None and len(self.attachments) >= 9:
            raise ValueError("at most 9 attachments, the content item included")
        if self.audience.kind == "moment" and len(self.text) > 2000:
            raise ValueError("moment text exceeds 2000 characters (WeCom's limit)")
        return self


class SenderCount(BaseModel):
    userid: str
    recipients: int


class Preview(BaseModel):
    total: int
    senders: int
    jobs: int
    cap_rule: CapRule
    cap: int | None = Field(description="messages a customer may receive in the current period")
    cap_blocked: int = Field(description="recipients the cap will block, by Siyu's ledger")
    by_employee: list[SenderCount]


class BroadcastOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    status: str
    text: str
    attachments: list[dict[str, Any]]
    audience: dict[str, Any]
    scheduled_at: datetime | None
    created_by: str
    created_at: datetime
    planned_at: datetime | None
    submitted_at: datetime | None
    cancelled_at: datetime | None
    synced_at: datetime | None
    total: int
    senders: int
    cap_blocked_estimate: int
    counts: dict[str, int]
    error: str | None
    content_item_id: int | None = None


class SenderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    userid: str
    chunk: int
    status: str
    recipients: int
    msgid: str | None
    attempts: int
    reconciled: bool
    task_status: int | None
    sent_at: datetime | None
    reminds: int
    error: str | None
    result: dict[str, Any] | None = None
    counts: dict[str, int] = Field(default_factory=dict)


class BroadcastDetail(BroadcastOut):
    jobs: list[SenderOut]
    radar: ContentStats | None = Field(
        default=None, description="opens of the attached content item's radar links"
    )


class RecipientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    external_userid: str
    customer_name: str = Field(
        default="", description="the customer's name (group broadcasts: the group chat's name)"
    )
    userid: str
    employee_name: str = Field(
        default="", description="the sender's name (department beside a shared name)"
    )
    state: str
    reason: str | None
    sent_at: datetime | None


class ActionResult(BaseModel):
    jobs: int
    ok: int
    errors: list[str]


class BroadcastSettingsIO(BaseModel):
    cap_rule: CapRule = "month4"
