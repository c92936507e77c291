"""SOP API shapes: templates (trigger, steps, stop conditions), stats, to-dos."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from siyu.core.bounds import Id

Target = Literal["customer", "group"]
TriggerKind = Literal["channel", "tag_added", "joined_group", "group_created", "stage_reached"]
CUSTOMER_TRIGGERS = ("channel", "tag_added", "joined_group", "stage_reached")
GROUP_TRIGGERS = ("group_created",)
MAX_STEPS = 30
MAX_DAYS = 365
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class TriggerIn(BaseModel):
    """What starts a run; the list that matters depends on the kind."""

    kind: TriggerKind
    channel_ids: list[Id] = Field(default_factory=list, max_length=100)
    tag_ids: list[str] = Field(default_factory=list, max_length=100)
    chat_ids: list[str] = Field(
        default_factory=list, max_length=500, description="joined_group: these chats (all if empty)"
    )
    stage_ids: list[Id] = Field(
        default_factory=list, max_length=20, description="stage_reached: a customer moved to one"
    )

    @model_validator(mode="after")
    def _filter_given(self) -> TriggerIn:
        if self.kind == "channel" and not self.channel_ids:
            raise ValueError("a channel trigger needs at least one channel code (channel_ids)")
        if self.kind == "tag_added" and not self.tag_ids:
            raise ValueError("a tag trigger needs at least one tag (tag_ids)")
        if self.kind == "stage_reached" and not self.stage_ids:
            raise ValueError("a stage trigger needs at least one customer stage (stage_ids)")
        return self


class StopIn(BaseModel):
    """When a run stops early (losing the customer always stops it)."""

    tags_removed: list[str] = Field(
        default_factory=list, max_length=100, description="stop when the customer loses one"
    )
    converted_tags: list[str] = Field(
        default_factory=list, max_length=100, description="converted: stop when one is added"
    )
    stages: list[Id] = Field(
        default_factory=list,
        max_length=20,
        description="stop when the customer reaches one of these stages (e.g. won / lost)",
    )


class StepIn(BaseModel):
    """``day`` days after the trigger, then either ``minutes`` after the trigger's time of day
    (``at_time`` empty) or at ``at_time`` (HH:MM in the corp's time zone)."""

    day: int = Field(default=0, ge=0, le=MAX_DAYS)
    minutes: int = Field(default=0, ge=0, lt=24 * 60)
    at_time: str = Field(default="", description="HH:MM local time, or empty for an offset")
    text: str = Field(default="", max_length=2000)
    item_ids: list[Id] = Field(default_factory=list, max_length=9)

    @field_validator("at_time")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        v = v.strip()
        if v and not _HHMM.match(v):
            raise ValueError("at_time must be HH:MM (00:00–23:59)")
        return v

    @model_validator(mode="after")
    def _content(self) -> StepIn:
        if not self.text.strip() and not self.item_ids:
            raise ValueError("each step needs a text or at least one content item")
        if self.at_time and self.minutes:
            raise ValueError("give either minutes after the trigger or a time of day, not both")
        return self


class TemplateIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    target: Target = "customer"
    trigger: TriggerIn
    steps: list[StepIn] = Field(min_length=1, max_length=MAX_STEPS)
    stop: StopIn = Field(default_factory=StopIn)

    @field_validator("name")
    @classmethod
    def _strip(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the name cannot be blank")
        return v.strip()

    @model_validator(mode="after")
    def _target_matches(self) -> TemplateIn:
        allowed = CUSTOMER_TRIGGERS if self.target == "customer" else GROUP_TRIGGERS
        if self.trigger.kind not in allowed:
            raise ValueError(
                f"a {self.target} SOP starts on {' / '.join(allowed)}, not {self.trigger.kind}"
            )
        if self.target == "group" and (self.stop.tags_removed or self.stop.converted_tags):
            raise ValueError("group SOPs have no tag stop conditions (tags are on customers)")
        if self.target == "group" and self.stop.stages:
            raise ValueError("group SOPs have no stage stop conditions (stages are on customers)")
        if set(self.trigger.stage_ids) & set(self.stop.stages):
            raise ValueError("a stage cannot both start the SOP and stop it")
        return self


class EnableIn(BaseModel):
    backfill: bool = Field(
        default=False,
        description="also start runs for customers already matching the trigger (tag, channel)",
    )


class StepOut(StepIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int


class StepStats(BaseModel):
    position: int
    scheduled: int = 0
    open: int = 0
    done: int = 0
    skipped: int = 0
    overdue: int = 0


class TemplateStats(BaseModel):
    running: int = 0
    completed: int = 0
    stopped: int = 0
    scheduled: int = 0
    due: int = 0
    done: int = 0
    skipped: int = 0
    overdue: int = 0


class TemplateOut(BaseModel):
    id: int
    name: str
    target: Target
    trigger: dict[str, Any]
    stop: dict[str, Any]
    enabled: bool
    version: int
    steps: list[StepOut]
    created_by: str
    created_at: datetime
    updated_at: datetime
    backfill_status: str
    backfill_total: int
    backfill_done: int
    stats: TemplateStats = Field(default_factory=TemplateStats)


class EmployeeStats(BaseModel):
    userid: str
    name: str
    due: int
    done: int
    overdue: int


class TemplateStatsOut(BaseModel):
    totals: TemplateStats
    steps: list[StepStats]
    employees: list[EmployeeStats]


class ContentPiece(BaseModel):
    """One thing to send, ready for the JS-SDK (radar links already minted)."""

    kind: str
    title: str = ""
    text: str = ""
    url: str = ""
    cover: str = ""
    description: str = ""
    item_id: int | None = None


class TodoOut(BaseModel):
    id: int
    template_id: int
    template_name: str
    position: int
    status: str
    userid: str
    employee_name: str = ""
    customer_id: int | None
    customer_name: str = ""
    external_userid: str = ""
    chat_id: str = ""
    group_name: str = ""
    due_at: datetime
    overdue: bool
    finished_at: datetime | None
    content: list[ContentPiece]


class FinishIn(BaseModel):
    status: Literal["done", "skipped"] = "done"


class BackfillPreview(BaseModel):
    """Who a backfill at enable time would start (channel and tag triggers)."""

    supported: bool = Field(description="the trigger can be backfilled (channel or tag)")
    matching: int = Field(description="customers a live relation of whom matches the trigger now")
    new: int = Field(description="of them, customers who have not run this SOP yet")
