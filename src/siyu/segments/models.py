"""Segment tables: saved segments, frozen snapshots, rule tags (the change log they read is
``siyu.customers.changelog``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin


class Segment(CorpScoped, IdMixin, TimestampMixin, Base):
    """A saved audience definition (``rule`` is a ``siyu.segments.rules.Rule`` as JSON)."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("corp_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    owner: Mapped[str] = mapped_column(String(100), default="")
    rule: Mapped[dict[str, Any]] = mapped_column()
    include_deleted: Mapped[bool] = mapped_column(default=False)


class SegmentSnapshot(CorpScoped, IdMixin, TimestampMixin, Base):
    """The exact member list of a segment at one moment: a serialized roaring bitmap of
    customer ``seq`` numbers (never reused), with the definition it was taken from."""

    __tablename__ = "segment_snapshots"

    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(200), default="")
    rule: Mapped[dict[str, Any]] = mapped_column()
    include_deleted: Mapped[bool] = mapped_column(default=False)
    count: Mapped[int] = mapped_column(default=0)
    members: Mapped[bytes] = mapped_column(LargeBinary)


class RuleTag(CorpScoped, IdMixin, TimestampMixin, Base):
    """规则标签: put ``tag_id`` on the live relations of every customer the rule matches;
    with ``remove_when_unmatched`` take it off customers who stop matching."""

    __tablename__ = "rule_tags"
    __table_args__ = (UniqueConstraint("corp_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    rule: Mapped[dict[str, Any]] = mapped_column()
    tag_id: Mapped[str] = mapped_column(String(64))
    remove_when_unmatched: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    matched: Mapped[int] = mapped_column(default=0)
    evaluated_at: Mapped[datetime | None] = mapped_column(default=None)
