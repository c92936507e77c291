"""Frontline task requests and replies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from siyu.core.bounds import Id, Int32
from siyu.customers.profile_schemas import FollowUpItem
from siyu.customers.schemas import CustomerFilter
from siyu.sop.schemas import TodoOut as SopTodo

Kind = Literal["customer", "group", "moment", "todo"]
Status = Literal["draft", "scheduled", "running", "ended", "cancelled"]
TEXT_MAX_BYTES = 4000


class Targets(BaseModel):
    """Whom the employees send to: customer tasks use the filter and/or a saved segment
    (each customer once, sent by their owner or first adder among the assignees); group tasks
    send to every live group the assignees own; moments may be limited to customer tags."""

    filter: CustomerFilter = Field(default_factory=CustomerFilter)
    segment_id: Id | None = None
    visible_tag_ids: list[str] = Field(default_factory=list)


class TaskIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    kind: Kind = "customer"
    text: str = ""
    content_ids: list[Id] = Field(default_factory=list, max_length=9)
    targets: Targets = Field(default_factory=Targets)
    userids: list[str] = Field(default_factory=list, max_length=5000)
    department_ids: list[Int32] = Field(
        default_factory=list,
        max_length=1000,
        description="every employee of these departments and below",
    )
    start_at: datetime | None = Field(default=None, description="empty: when started")
    deadline: datetime
    remind_before_minutes: int = Field(
        default=120, ge=0, le=7 * 1440, description="automatic reminder (0: none)"
    )

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        if len(v.encode()) > TEXT_MAX_BYTES:
            raise ValueError(f"text exceeds {TEXT_MAX_BYTES} bytes (WeCom's limit)")
        return v

    @field_validator("start_at", "deadline")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("times need a time zone (e.g. 2026-05-01T20:00:00+08:00)")
        return v

    @model_validator(mode="after")
    def _check(self) -> TaskIn:
        if self.kind != "todo" and not self.text and not self.content_ids:
            raise ValueError("a task that sends needs text or content")
        if self.kind == "todo" and not (self.text or self.description):
            raise ValueError("a to-do needs a description of what to do")
        if self.start_at and self.deadline <= self.start_at:
            raise ValueError("the deadline must be after the start")
        if not self.userids and not self.department_ids:
            raise ValueError("assign employees (userids) or departments")
        if self.kind == "moment" and len(self.text) > 2000:
            raise ValueError("moment text exceeds 2000 characters (WeCom's limit)")
        return self


class Totals(BaseModel):
    employees: int = 0
    employees_done: int = 0
    assigned: int = 0
    sent: int = 0
    not_sent: int = 0
    failed: int = 0
    pending: int = 0
    completion_rate: float = 0.0
    employee_rate: float = 0.0
    opens: int = 0
    opened_customers: int = 0
    without_targets: list[str] = Field(
        default_factory=list, description="assigned employees left out: nobody to send to"
    )
    error: str | None = Field(default=None, description="why the task could not go out")


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    kind: str
    status: str
    text: str
    content_ids: list[int]
    targets: dict[str, object]
    department_ids: list[int]
    start_at: datetime | None
    deadline: datetime
    remind_before_minutes: int
    auto_reminded_at: datetime | None
    broadcast_id: int | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    cancelled_at: datetime | None
    synced_at: datetime | None
    totals: Totals = Field(default_factory=Totals)
    userids: list[str] = Field(default_factory=list)


class AssigneeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    userid: str
    name: str
    assigned: int
    sent: int
    not_sent: int
    failed: int
    pending: int = 0
    completion_rate: float = 0.0
    done: bool
    completed_at: datetime | None
    late: bool = False
    opens: int
    opened_customers: int
    reminds: int
    last_reminded_at: datetime | None
    shared_at: datetime | None = Field(
        default=None, description="completed through a JS-SDK share API (the workbench)"
    )
    share_api: str = ""


class AudiencePreview(BaseModel):
    employees: int
    targets: int = Field(description="customers (or groups) the task reaches")
    by_employee: list[dict[str, object]]
    missing_userids: list[str] = Field(
        default_factory=list, description="assigned employees with nobody to send to"
    )


class RemindResult(BaseModel):
    employees: int = Field(description="laggards reminded")
    wecom_ok: int = 0
    errors: list[str] = Field(default_factory=list)


class RankRow(BaseModel):
    rank: int
    userid: str
    name: str
    tasks: int
    assigned: int
    sent: int
    completion_rate: float
    done: int
    opens: int
    opened_customers: int


class MyPiece(BaseModel):
    """One thing to send in the chat (links already the employee's own radar link)."""

    kind: str
    title: str = ""
    text: str = ""
    url: str = ""
    cover: str = ""
    description: str = ""
    item_id: int | None = None


class MyTaskOut(BaseModel):
    """A running task of the signed-in employee, as the chat sidebar shows it."""

    id: int
    name: str
    description: str
    kind: str
    deadline: datetime
    mine: AssigneeOut = Field(description="the employee's own progress")
    customer_state: str | None = Field(
        default=None,
        description="customer tasks: this customer's send state among the employee's targets "
        "(planned | submitted | sent | not_sent | failed); empty: not a target",
    )
    content: list[MyPiece] = Field(
        default_factory=list,
        description="ready to send to this customer (customer tasks targeting them, to-dos)",
    )


#: the JS-SDK share API that completes a task of each kind from the mobile workbench
SHARE_APIS = {
    "customer": "shareToExternalContact",
    "group": "shareToExternalChat",
    "moment": "shareToExternalMoments",
}
ShareApi = Literal["shareToExternalContact", "shareToExternalChat", "shareToExternalMoments"]


class SharedIn(BaseModel):
    """WeCom's answer to a share call: ``<api>:ok`` is ``ok``; a cancel or failure leaves the
    employee's part open."""

    api: ShareApi
    result: Literal["ok", "cancel", "fail"]


class SharedOut(BaseModel):
    completed: bool = Field(description="the employee's part is complete")
    mine: AssigneeOut


class TodayTask(MyTaskOut):
    """An open task of the employee; ``share_api`` says which share completes it (empty for
    to-dos, marked done by hand) and ``content`` is what to share (their own radar links)."""

    share_api: str = ""


class TodayOut(BaseModel):
    """The workbench's 今日待办: SOP steps due by the end of today (corp time zone), the
    employee's open frontline tasks and their follow-ups due today or overdue."""

    day_end: datetime = Field(description="the end of today in the corp's time zone")
    sop: list[SopTodo] = Field(default_factory=list)
    tasks: list[TodayTask] = Field(default_factory=list)
    follow_ups: list[FollowUpItem] = Field(
        default_factory=list, description="follow-ups set for today or overdue, earliest first"
    )


class AttentionOut(BaseModel):
    """A customer of the employee with their newest activity (the reason to look first)."""

    customer_id: int
    external_userid: str
    name: str
    avatar: str = ""
    remark: str = ""
    at: datetime = Field(description="when the customer last did something")
    kind: str = Field(description="the timeline kind: radar_opened, added, joined_group, ...")
    data: dict[str, object] = Field(default_factory=dict)
