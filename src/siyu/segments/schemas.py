"""Segment API shapes (the rule itself is ``siyu.segments.rules``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from siyu.segments.rules import BoundedRule, Definition


class PreviewOut(BaseModel):
    count: int
    took_ms: float = Field(description="time spent evaluating, catching up included")


class DraftMembersIn(Definition):
    """A page of the members of an unsaved rule (same pages as a saved segment's members)."""

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, description="next_cursor of the previous page")


class IndexStatusOut(BaseModel):
    """The corp's bitmap index in the process that answered (each API and worker process
    keeps its own)."""

    pid: int = Field(description="the process that answered")
    state: Literal["not_built", "building", "built", "failed"]
    trigger: Literal["startup", "request", "rebuild"] | None = Field(
        default=None, description="what started the last build"
    )
    started_at: datetime | None = None
    built_at: datetime | None = None
    build_ms: float | None = None
    error: str | None = None
    customers: int | None = Field(default=None, description="customers in the index")
    live_customers: int | None = None
    bitmaps: int | None = None
    memory_bytes: int | None = None
    last_change_id: int | None = Field(default=None, description="change log position")
    caught_up_s_ago: float | None = Field(
        default=None, description="seconds since the change log was last read to its end"
    )


class SegmentIn(Definition):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=500)
    owner: str = Field(default="", max_length=100, description="who maintains this segment")


class SegmentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    owner: str | None = Field(default=None, max_length=100)
    rule: BoundedRule | None = None
    include_deleted: bool | None = None


class SegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    owner: str
    rule: dict[str, Any]
    include_deleted: bool
    created_at: datetime
    updated_at: datetime


class SnapshotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100, description="default: segment name")
    purpose: str = Field(default="", max_length=200, description="e.g. the broadcast it is for")


class SnapshotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    segment_id: int | None
    name: str
    purpose: str
    rule: dict[str, Any]
    include_deleted: bool
    count: int
    created_at: datetime


class RuleTagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    rule: BoundedRule
    tag_id: str = Field(min_length=1, max_length=64, description="the corp tag to apply")
    remove_when_unmatched: bool = False
    active: bool = True


class RuleTagPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    rule: BoundedRule | None = None
    remove_when_unmatched: bool | None = None
    active: bool | None = None


class Failure(BaseModel):
    reason: str
    count: int


class RuleTagCounts(BaseModel):
    matched: int = Field(description="customers the rule matches now")
    tagged: int = Field(
        default=0, description="customers the rule matches who carry the tag now (live relations)"
    )
    tagged_unmatched: int = Field(
        default=0,
        description="customers who carry the tag now but do not match (tagged by hand, or kept "
        "because remove_when_unmatched is off)",
    )
    applied: int = Field(description="relation tag writes done (all time)")
    removed: int = Field(description="relation untag writes done")
    pending: int = Field(description="writes waiting in the durable queue")
    failed: int
    failures: list[Failure] = Field(default_factory=list, description="failed writes by reason")
    rule_error: str | None = Field(
        default=None, description="why the rule cannot be evaluated now (e.g. a deleted tag)"
    )


class RuleTagOut(BaseModel):
    id: int
    name: str
    rule: dict[str, Any]
    tag_id: str
    remove_when_unmatched: bool
    active: bool
    evaluated_at: datetime | None
    counts: RuleTagCounts
