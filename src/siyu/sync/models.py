"""Sync runs: each full sync records its steps, counts, errors and resume cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, utcnow


class SyncRun(CorpScoped, IdMixin, Base):
    """status: running → done | failed | interrupted; ``steps`` maps step → progress."""

    __tablename__ = "sync_runs"

    trigger: Mapped[str] = mapped_column(String(16), default="cli")
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    step: Mapped[str] = mapped_column(String(32), default="")
    steps: Mapped[dict[str, Any]] = mapped_column(default=dict)
    resume: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
