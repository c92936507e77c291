"""Raw inbound WeCom callback events, stored idempotently before any processing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, utcnow


class InboundEvent(CorpScoped, IdMixin, Base):
    """One callback delivery; ``event_key`` makes WeCom's redeliveries no-ops."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("corp_id", "event_key"),)

    event_key: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(64), default="")
    change_type: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    xml: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
