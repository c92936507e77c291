"""SOP templates, their versioned steps, runs (one per customer or group) and step tasks.

A task is both the timer and the to-do: ``scheduled`` (a timer with ``due_at``) → ``open``
(delivered: a to-do for the employee, app message sent) → ``done`` | ``skipped``; or
``cancelled`` when its run stops first. The periodic scan reads only
``(corp_id, status='scheduled', due_at <= now)`` through the index of that shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigIntPK, CorpScoped, IdMixin, TimestampMixin


class SopTemplate(CorpScoped, IdMixin, TimestampMixin, Base):
    """A timed script: a trigger, steps at offsets from it, and stop conditions.

    ``trigger`` holds the kind's filter (``channel_ids``, ``tag_ids``, ``chat_ids``); ``stop``
    holds ``tags_removed`` and ``converted_tags`` (losing the customer always stops a run).
    ``version`` grows when the steps change; runs keep the version they started with.
    """

    __tablename__ = "sop_templates"

    name: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(16))  # customer | group
    trigger_kind: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[dict[str, Any]] = mapped_column(default=dict)
    stop: Mapped[dict[str, Any]] = mapped_column(default=dict)
    enabled: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    backfill_status: Mapped[str] = mapped_column(String(16), default="")
    backfill_total: Mapped[int] = mapped_column(default=0)
    backfill_done: Mapped[int] = mapped_column(default=0)


class SopStep(CorpScoped, IdMixin, Base):
    """One step of one version of a template (rows are never edited, only superseded)."""

    __tablename__ = "sop_steps"
    __table_args__ = (UniqueConstraint("template_id", "version", "position"),)

    template_id: Mapped[int] = mapped_column(ForeignKey("sop_templates.id", ondelete="CASCADE"))
    version: Mapped[int]
    position: Mapped[int]
    day: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    at_time: Mapped[str] = mapped_column(String(5), default="")  # "HH:MM" local, or "" (offset)
    text: Mapped[str] = mapped_column(Text, default="")
    item_ids: Mapped[list[int]] = mapped_column(default=list)


class SopRun(CorpScoped, IdMixin, Base):
    """A template running for one customer (with one employee) or one group chat."""

    __tablename__ = "sop_runs"
    __table_args__ = (
        UniqueConstraint("template_id", "customer_id"),
        UniqueConstraint("template_id", "group_pk"),
        Index("ix_sop_runs_corp_customer", "corp_id", "customer_id", "status"),
    )

    template_id: Mapped[int] = mapped_column(ForeignKey("sop_templates.id", ondelete="CASCADE"))
    version: Mapped[int]
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), default=None
    )
    group_pk: Mapped[int | None] = mapped_column(
        ForeignKey("group_chats.id", ondelete="CASCADE"), default=None
    )
    userid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="running")
    stop_reason: Mapped[str] = mapped_column(String(32), default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class SopTask(CorpScoped, IdMixin, Base):
    """One step of one run: the timer until due, then the employee's to-do."""

    __tablename__ = "sop_tasks"
    __table_args__ = (
        UniqueConstraint("run_id", "step_id"),
        Index("ix_sop_tasks_corp_status_due", "corp_id", "status", "due_at"),
        Index("ix_sop_tasks_corp_user_status", "corp_id", "userid", "status"),
        Index("ix_sop_tasks_template_status", "template_id", "status"),
    )

    run_id: Mapped[int] = mapped_column(ForeignKey("sop_runs.id", ondelete="CASCADE"))
    template_id: Mapped[int] = mapped_column(ForeignKey("sop_templates.id", ondelete="CASCADE"))
    step_id: Mapped[int] = mapped_column(ForeignKey("sop_steps.id", ondelete="CASCADE"))
    position: Mapped[int]
    customer_id: Mapped[int | None] = mapped_column(BigIntPK, default=None)
    group_pk: Mapped[int | None] = mapped_column(BigIntPK, default=None)
    userid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    due_at: Mapped[datetime]
    overdue_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_by: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    message_id: Mapped[int | None] = mapped_column(BigIntPK, default=None)
