"""Acquisition tables: channel codes, welcome sends, attribution and its daily roll-up,
group codes, ownership (collision lock), losses and outbound app messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, JSONType, TimestampMixin


class ChannelCode(CorpScoped, IdMixin, TimestampMixin, Base):
    """A 渠道活码: one WeCom contact way whose ``state`` attributes every add to it.

    ``staff`` is the rotation plan (``[{userid, daily_cap, days, start, end}]``), ``backups``
    the members used when nobody in it is on duty; ``members`` what the contact way holds now.
    """

    __tablename__ = "channel_codes"
    __table_args__ = (UniqueConstraint("corp_id", "state"), UniqueConstraint("corp_id", "name"))

    name: Mapped[str] = mapped_column(String(100))
    group_name: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(30))
    config_id: Mapped[str] = mapped_column(String(64), default="")
    qr_code: Mapped[str] = mapped_column(String(500), default="")
    userids: Mapped[list[str]] = mapped_column(default=list)
    dept_ids: Mapped[list[int]] = mapped_column(default=list)
    skip_verify: Mapped[bool] = mapped_column(default=True)
    accept_window: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    tag_ids: Mapped[list[str]] = mapped_column(default=list)
    remark_template: Mapped[str] = mapped_column(String(100), default="")
    welcome: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    welcome_variants: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    staff: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    backups: Mapped[list[str]] = mapped_column(default=list)
    members: Mapped[list[str]] = mapped_column(default=list)
    applied_skip_verify: Mapped[bool] = mapped_column(default=True)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class AcquisitionImage(CorpScoped, IdMixin, TimestampMixin, Base):
    """An uploaded image (welcome attachments, poster backgrounds) and its WeCom media id."""

    __tablename__ = "acquisition_images"

    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    media_id: Mapped[str] = mapped_column(String(200), default="")
    media_expires_at: Mapped[datetime | None] = mapped_column(default=None)


class WelcomeSend(CorpScoped, IdMixin, Base):
    """One welcome message per WelcomeCode: sent | failed (with WeCom's reason) | skipped."""

    __tablename__ = "welcome_sends"
    __table_args__ = (UniqueConstraint("corp_id", "welcome_code"),)

    welcome_code: Mapped[str] = mapped_column(String(128))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_codes.id", ondelete="SET NULL"), default=None
    )
    external_userid: Mapped[str] = mapped_column(String(64))
    userid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str] = mapped_column(String(300), default="")
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class ChannelAdd(CorpScoped, IdMixin, Base):
    """One add through a channel code (the attribution fact); ``day`` is the corp's local day."""

    __tablename__ = "channel_adds"
    __table_args__ = (
        Index("ix_channel_adds_corp_channel_day", "corp_id", "channel_id", "day"),
        Index("ix_channel_adds_corp_customer", "corp_id", "customer_id", "userid"),
    )

    channel_id: Mapped[int] = mapped_column(ForeignKey("channel_codes.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]
    day: Mapped[date] = mapped_column(Date)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_by: Mapped[str | None] = mapped_column(String(16), default=None)
    extras_status: Mapped[str] = mapped_column(String(16), default="pending")
    extras_error: Mapped[str] = mapped_column(String(300), default="")


class ChannelDailyStat(Base):
    """Roll-up per channel × employee × local day, kept up to date as adds and losses arrive.

    ``adds`` and ``lost`` count events on that day; ``cohort_lost``, ``lost_1d`` and ``lost_7d``
    count losses of that day's adds (ever, within 1 day, within 7 days).
    """

    __tablename__ = "channel_daily_stats"
    __table_args__ = (Index("ix_channel_daily_stats_corp_day", "corp_id", "day"),)

    corp_id: Mapped[int] = mapped_column(
        ForeignKey("corps.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channel_codes.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    adds: Mapped[int] = mapped_column(default=0)
    lost: Mapped[int] = mapped_column(default=0)
    cohort_lost: Mapped[int] = mapped_column(default=0)
    lost_1d: Mapped[int] = mapped_column(default=0)
    lost_7d: Mapped[int] = mapped_column(default=0)


class ChannelDayStat(Base):
    """The same counters per channel × local day, all employees together (10× fewer rows):
    what channel- and day-level statistics read when no employee filter is given."""

    __tablename__ = "channel_day_stats"

    corp_id: Mapped[int] = mapped_column(
        ForeignKey("corps.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channel_codes.id", ondelete="CASCADE"), primary_key=True
    )
    adds: Mapped[int] = mapped_column(default=0)
    lost: Mapped[int] = mapped_column(default=0)
    cohort_lost: Mapped[int] = mapped_column(default=0)
    lost_1d: Mapped[int] = mapped_column(default=0)
    lost_7d: Mapped[int] = mapped_column(default=0)


class CustomerSource(CorpScoped, IdMixin, Base):
    """A customer's first channel (later channels go to its timeline)."""

    __tablename__ = "customer_sources"
    __table_args__ = (UniqueConstraint("corp_id", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel_codes.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]


class GroupCode(CorpScoped, IdMixin, TimestampMixin, Base):
    """A 群活码: one WeCom join way over ≤5 group chats, opening new ones when they fill."""

    __tablename__ = "group_codes"
    __table_args__ = (UniqueConstraint("corp_id", "state"),)

    name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(30))
    config_id: Mapped[str] = mapped_column(String(64), default="")
    qr_code: Mapped[str] = mapped_column(String(500), default="")
    chat_ids: Mapped[list[str]] = mapped_column(default=list)
    auto_create_room: Mapped[bool] = mapped_column(default=True)
    room_base_name: Mapped[str] = mapped_column(String(40), default="")
    room_base_id: Mapped[int] = mapped_column(default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class GroupCodeEvent(CorpScoped, IdMixin, Base):
    """A join or leave of a group chat by a member who came through a group code."""

    __tablename__ = "group_code_events"
    __table_args__ = (Index("ix_group_code_events_corp_code", "corp_id", "code_id", "at"),)

    code_id: Mapped[int] = mapped_column(ForeignKey("group_codes.id", ondelete="CASCADE"))
    chat_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime]


class AcquisitionSettings(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "acquisition_settings"
    __table_args__ = (UniqueConstraint("corp_id"),)

    collision_lock: Mapped[bool] = mapped_column(default=False)
    loss_alerts: Mapped[bool] = mapped_column(default=True)


class CustomerOwner(CorpScoped, IdMixin, Base):
    """The employee a customer belongs to (the first to add it, unless reassigned)."""

    __tablename__ = "customer_owners"
    __table_args__ = (UniqueConstraint("corp_id", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime]


class OwnerChange(CorpScoped, IdMixin, Base):
    __tablename__ = "owner_changes"
    __table_args__ = (Index("ix_owner_changes_corp_customer", "corp_id", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    from_userid: Mapped[str] = mapped_column(String(64), default="")
    to_userid: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    changed_by: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime]


class Collision(CorpScoped, IdMixin, Base):
    """A locked customer added another employee (防撞单); the owner stays."""

    __tablename__ = "collisions"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    owner_userid: Mapped[str] = mapped_column(String(64))
    other_userid: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_codes.id", ondelete="SET NULL"), default=None
    )
    state: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime]


class LossRecord(CorpScoped, IdMixin, Base):
    """A relation that ended: by the customer (流失, employee alerted) or by the employee."""

    __tablename__ = "loss_records"
    __table_args__ = (Index("ix_loss_records_corp_at", "corp_id", "deleted_at"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))
    by: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(64), default="")
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_codes.id", ondelete="SET NULL"), default=None
    )
    added_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime]
    alerted: Mapped[bool] = mapped_column(default=False)


class AppMessage(CorpScoped, IdMixin, Base):
    """An outbound app message to employees: pending → sent | failed (durable, no loss)."""

    __tablename__ = "app_messages"
    __table_args__ = (Index("ix_app_messages_corp_status", "corp_id", "status"),)

    kind: Mapped[str] = mapped_column(String(32))
    userids: Mapped[list[str]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str] = mapped_column(String(300), default="")
    ref: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
