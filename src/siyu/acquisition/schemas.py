"""Acquisition API shapes. Limits are WeCom's (``shared/wecom/API.md`` §2)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from annotated_types import Interval
from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.bounds import INT32_MAX, Id, Int32

STATE_MAX = 30  # WeCom: contact-way and join-way state ≤30 characters
ATTACHMENTS_MAX = 9  # send_welcome_msg: at most 9 attachments
WELCOME_TEXT_MAX_BYTES = 4000
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
DAILY_CAP_MAX = 10_000  # adds a day for one employee; WeCom's own limits are far lower
Weekday = Annotated[int, Interval(ge=1, le=7)]


def _hhmm(value: str) -> str:
    if not HHMM.match(value):
        raise ValueError("times are HH:MM (00:00-24:00)")
    return value


class Attachment(BaseModel):
    """A welcome attachment; ``asset_id`` is an image or file uploaded to Siyu."""

    type: Literal["image", "link", "miniprogram", "file"]
    asset_id: Id | None = None
    pic_url: str | None = None
    title: str | None = None
    url: str | None = None
    desc: str | None = None
    appid: str | None = None
    page: str | None = None


class WelcomeIn(BaseModel):
    text: str = ""
    attachments: list[Attachment] = Field(default_factory=list)


class WelcomeVariant(WelcomeIn):
    """A welcome used between ``start`` and ``end`` (corp local time; may wrap midnight)."""

    start: str
    end: str

    _check = field_validator("start", "end")(_hhmm)


class TimeWindow(BaseModel):
    start: str
    end: str

    _check = field_validator("start", "end")(_hhmm)


class StaffRule(BaseModel):
    """When an employee of a multi-employee code is on duty, and how many adds a day."""

    userid: str
    daily_cap: int | None = Field(default=None, ge=1, le=DAILY_CAP_MAX)
    days: list[Weekday] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7])
    start: str = "00:00"
    end: str = "24:00"

    _check = field_validator("start", "end")(_hhmm)

    @field_validator("days")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if not v or any(d < 1 or d > 7 for d in v):
            raise ValueError("days are ISO weekdays 1 (Monday) to 7 (Sunday)")
        return sorted(set(v))


class ChannelCodeIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    group_name: str = Field(default="", max_length=100)
    userids: list[str] = Field(default_factory=list)
    dept_ids: list[Int32] = Field(default_factory=list)
    state: str | None = None
    skip_verify: bool = True
    accept_window: TimeWindow | None = None
    expires_at: datetime | None = None
    tag_ids: list[str] = Field(default_factory=list)
    remark_template: str = Field(default="", max_length=100)
    welcome: WelcomeIn | None = None
    welcome_variants: list[WelcomeVariant] = Field(default_factory=list)
    staff: list[StaffRule] = Field(default_factory=list)
    backups: list[str] = Field(default_factory=list)


class ChannelCodePatch(BaseModel):
    """Fields to change; ``state`` never changes (past adds are attributed through it)."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    group_name: str | None = Field(default=None, max_length=100)
    userids: list[str] | None = None
    dept_ids: list[Int32] | None = None
    skip_verify: bool | None = None
    accept_window: TimeWindow | None = None
    expires_at: datetime | None = None
    tag_ids: list[str] | None = None
    remark_template: str | None = Field(default=None, max_length=100)
    welcome: WelcomeIn | None = None
    welcome_variants: list[WelcomeVariant] | None = None
    staff: list[StaffRule] | None = None
    backups: list[str] | None = None


class ChannelCodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    group_name: str
    state: str
    config_id: str
    qr_code: str
    userids: list[str]
    dept_ids: list[int]
    skip_verify: bool
    accept_window: TimeWindow | None
    expires_at: datetime | None
    tag_ids: list[str]
    remark_template: str
    welcome: WelcomeIn | None
    welcome_variants: list[WelcomeVariant]
    staff: list[StaffRule]
    backups: list[str]
    members: list[str]
    applied_skip_verify: bool
    created_at: datetime


class DutyOut(BaseModel):
    channel_id: int
    on_duty: list[str]
    off_duty: list[dict[str, str]]
    members: list[str]
    skip_verify: bool
    adds_today: dict[str, int]


class StatRow(BaseModel):
    key: str
    label: str = ""
    adds: int = 0
    lost: int = 0
    net: int = 0
    lost_1d: int = 0
    lost_7d: int = 0
    retained: int = 0


class TrendPoint(BaseModel):
    day: date
    adds: int = 0
    lost: int = 0
    net: int = 0


class StatsOut(BaseModel):
    start: date
    end: date
    by: str
    rows: list[StatRow]
    totals: StatRow
    trend: list[TrendPoint]


class GroupCodeIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    chat_ids: list[str] = Field(min_length=1)
    state: str | None = None
    auto_create_room: bool = True
    room_base_name: str = Field(default="", max_length=40)
    room_base_id: int = Field(default=1, ge=1, le=INT32_MAX)


class GroupCodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    state: str
    config_id: str
    qr_code: str
    chat_ids: list[str]
    auto_create_room: bool
    room_base_name: str
    room_base_id: int
    created_at: datetime
    joins: int = 0


class GroupStatRow(BaseModel):
    chat_id: str
    name: str
    members: int
    capacity: int
    joins: int
    leaves: int


class GroupTrendPoint(BaseModel):
    day: date
    joins: int = 0
    leaves: int = 0


class GroupCodeStats(BaseModel):
    code_id: int
    joins: int
    leaves: int
    net: int
    groups: list[GroupStatRow]
    start: date | None = None
    end: date | None = None
    trend: list[GroupTrendPoint] = []


class SettingsIO(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    collision_lock: bool = False
    loss_alerts: bool = True


class CollisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    owner_userid: str
    other_userid: str
    channel_id: int | None
    state: str
    at: datetime
    customer_name: str = ""
    customer_avatar: str = ""
    owner_name: str = Field(default="", description="the owner at the time of the collision")
    other_name: str = Field(default="", description="the employee the customer also added")
    channel_name: str = ""
    current_owner_userid: str | None = Field(default=None, description="the owner now")
    current_owner_name: str = ""


class SourceOut(BaseModel):
    """A customer's first channel and every channel add since."""

    customer_id: int
    channel_id: int | None
    channel: str | None
    userid: str | None
    added_at: datetime | None
    channels: list[dict[str, object]]


class OwnerIn(BaseModel):
    userid: str
    reason: str = Field(default="", max_length=200)


class OwnerChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_userid: str
    to_userid: str
    reason: str
    changed_by: str
    at: datetime
    from_name: str = ""
    to_name: str = ""


class OwnerCandidate(BaseModel):
    """An employee who follows the customer now (an owner must)."""

    userid: str
    name: str


class OwnerOut(BaseModel):
    customer_id: int
    userid: str | None
    history: list[OwnerChangeOut]
    name: str = Field(default="", description="the owner's name")
    customer_name: str = ""
    candidates: list[OwnerCandidate] = Field(
        default_factory=list, description="employees who follow the customer now"
    )


class LossOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    userid: str
    by: str
    source: str
    channel_id: int | None
    added_at: datetime | None
    deleted_at: datetime
    alerted: bool
    customer_name: str = ""
    customer_avatar: str = ""
    employee_name: str = ""
    channel_name: str = ""
    kept_days: int | None = Field(default=None, description="days between the add and the loss")


class AssetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    sha256: str


class WelcomeSendOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel_id: int | None
    external_userid: str
    userid: str
    status: str
    error: str
    content: dict[str, object]
    created_at: datetime


class BatchResult(BaseModel):
    created: list[ChannelCodeOut]


class BatchRow(BaseModel):
    """One row of an uploaded file as it would be created, with everything wrong with it."""

    row: int = Field(description="the spreadsheet's row number (the header is row 1)")
    name: str
    group_name: str
    employees: list[str] = Field(description="names")
    tags: list[str] = Field(description="names")
    welcome: str
    skip_verify: bool
    errors: list[str]


class BatchPreview(BaseModel):
    rows: list[BatchRow]
    valid: int
    invalid: int
