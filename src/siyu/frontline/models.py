"""A task and its assignees (one row per employee, holding that employee's progress snapshot).

Task states: ``draft`` → ``scheduled`` (started with a future start) → ``running`` → ``ended``
(deadline passed) | ``cancelled``. Assignee counts are refreshed from the broadcast ledger and
radar opens (:func:`siyu.frontline.progress.refresh`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin


class FrontlineTask(CorpScoped, IdMixin, TimestampMixin, Base):
    """One task: content, targets, assigned employees, schedule, totals snapshot."""

    __tablename__ = "frontline_tasks"
    __table_args__ = (Index("ix_frontline_tasks_corp_status", "corp_id", "status"),)

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    #: customer | group | moment | todo
    kind: Mapped[str] = mapped_column(String(16))
    #: draft | scheduled | running | ended | cancelled
    status: Mapped[str] = mapped_column(String(16), default="draft")
    text: Mapped[str] = mapped_column(Text, default="")
    content_ids: Mapped[list[int]] = mapped_column(default=list)
    #: customer filter, segment id and moment visibility tags (see schemas.Targets)
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    department_ids: Mapped[list[int]] = mapped_column(default=list)
    start_at: Mapped[datetime | None] = mapped_column(default=None)
    deadline: Mapped[datetime]
    #: minutes before the deadline the automatic reminder goes out (0: none)
    remind_before_minutes: Mapped[int] = mapped_column(default=120)
    auto_reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    #: the shared broadcast of customer and group tasks
    broadcast_id: Mapped[int | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    synced_at: Mapped[datetime | None] = mapped_column(default=None)
    #: snapshot of the totals (see schemas.Totals)
    totals: Mapped[dict[str, Any]] = mapped_column(default=dict)


class FrontlineAssignee(CorpScoped, IdMixin, Base):
    """One employee of a task and their progress (a snapshot, refreshed by the sync)."""

    __tablename__ = "frontline_assignees"
    __table_args__ = (
        UniqueConstraint("task_id", "userid"),
        Index("ix_frontline_assignees_corp_userid", "corp_id", "userid"),
    )

    task_id: Mapped[int] = mapped_column(ForeignKey("frontline_tasks.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    #: moment tasks: this employee's own moment broadcast (per-employee radar link)
    broadcast_id: Mapped[int | None] = mapped_column(default=None)
    #: customers (or groups) this employee is to send to; 1 for to-dos and moments
    assigned: Mapped[int] = mapped_column(default=0)
    sent: Mapped[int] = mapped_column(default=0)
    not_sent: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    #: the employee has done their part (confirmed the mass message, posted, marked done)
    done: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    opens: Mapped[int] = mapped_column(default=0)
    opened_customers: Mapped[int] = mapped_column(default=0)
    reminds: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    #: the employee shared the task's content through a JS-SDK share API and WeCom answered
    #: ``<api>:ok`` (the mobile workbench); this completes their part whatever the ledger says
    shared_at: Mapped[datetime | None] = mapped_column(default=None)
    #: shareToExternalContact | shareToExternalChat | shareToExternalMoments
    share_api: Mapped[str] = mapped_column(String(32), default="")
