"""The customer's editable profile beyond WeCom's mirror (issue 15, the 1:1 sidebar).

- ``RemarkWrite``: a durable write of a relation's remark fields to WeCom
  (``externalcontact/remark``): pending → sending → sent | failed. The row is committed with the
  request; a queue job sends it; a sweeper re-queues what a crash left behind and settles a
  ``sending`` row against WeCom's current state before sending again (never twice).
- ``CustomField`` / ``CustomFieldValue``: fields an admin defines (text, number, date, select),
  one value per customer. Siyu-only: WeCom has no such field.
- ``CustomerProfile``: Siyu-only facts of the customer (birthday).
- ``FollowUp``: the next follow-up of one employee with one customer (per relation), with its
  due-reminder guard; ``FollowUpDigest``: the once-a-day morning digest guard.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin, utcnow


class RemarkWrite(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "remark_writes"
    __table_args__ = (
        Index("ix_remark_writes_status_updated", "status", "updated_at"),
        Index("ix_remark_writes_corp_customer", "corp_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))
    #: the WeCom fields to write (remark, description, remark_company, remark_mobiles)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: what they were before, for the timeline
    previous: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str] = mapped_column(String(100), default="")
    leased_until: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class CustomField(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("corp_id", "name"),)

    name: Mapped[str] = mapped_column(String(20))
    #: text | number | date | select
    type: Mapped[str] = mapped_column(String(8))
    options: Mapped[list[str]] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)


class CustomFieldValue(Base):
    __tablename__ = "custom_field_values"
    __table_args__ = (Index("ix_custom_field_values_corp_field", "corp_id", "field_id"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[int] = mapped_column(
        ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True
    )
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CustomerProfile(Base):
    __tablename__ = "customer_profiles"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
    birthday: Mapped[date | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FollowUp(Base):
    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_corp_userid_due", "corp_id", "userid", "due_at"),
        Index("ix_follow_ups_reminded_due", "reminded_at", "due_at"),
    )

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
    due_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: when the due reminder was queued (an app message row); None: armed. Setting a new time
    #: or a new owner re-arms it.
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)


class FollowUpDigest(Base):
    """One morning digest per employee per corp-local day (the row is the once-only guard)."""

    __tablename__ = "follow_up_digests"

    corp_id: Mapped[int] = mapped_column(
        ForeignKey("corps.id", ondelete="CASCADE"), primary_key=True
    )
    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    message_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
