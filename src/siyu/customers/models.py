"""The customer base mirrored from WeCom: customers (external contacts), follow relations, the
corp tag library and the tags on relations, the customer timeline, and the ordered change log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigIntPK, CorpScoped, IdMixin, TimestampMixin, utcnow


class Customer(CorpScoped, IdMixin, TimestampMixin, Base):
    """One external contact across all employees of the corp.

    ``seq`` is a dense per-corp integer (segment bitmaps index it). ``deleted_at`` is set when
    no live follow relation remains; the row and its history stay.
    """

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("corp_id", "external_userid"),
        UniqueConstraint("corp_id", "seq"),
        Index("ix_customers_corp_added", "corp_id", "first_added_at"),
        # the dashboard counts the live customers of a corp and the active ones among them
        # (partial: a lost customer is not in it)
        Index(
            "ix_customers_corp_live_active",
            "corp_id",
            "last_active_at",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    external_userid: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(100), default="")
    avatar: Mapped[str] = mapped_column(String(500), default="")
    type: Mapped[int] = mapped_column(default=1)
    gender: Mapped[int] = mapped_column(default=0)
    corp_name: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[str] = mapped_column(String(100), default="")
    unionid: Mapped[str] = mapped_column(String(64), default="")
    first_added_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    #: the newest entry of the customer's timeline (``timeline.touch``; the dashboard's active
    #: customers)
    last_active_at: Mapped[datetime | None] = mapped_column(default=None)


class FollowRelation(CorpScoped, IdMixin, TimestampMixin, Base):
    """One customer × one employee: remark, add way, channel state, that employee's tags."""

    __tablename__ = "follow_relations"
    __table_args__ = (
        UniqueConstraint("corp_id", "customer_id", "userid"),
        # the dashboard counts index ranges (analytics.repository): adds and losses per day,
        # adds per employee and per channel state; (corp_id, userid, ...) also serves the
        # employee's customers
        Index("ix_follow_relations_corp_userid_added", "corp_id", "userid", "added_at"),
        Index("ix_follow_relations_corp_added", "corp_id", "added_at"),
        Index(
            "ix_follow_relations_corp_ended",  # partial: "deleted_at IS NULL" never picks it
            "corp_id",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
        Index("ix_follow_relations_corp_state_added", "corp_id", "state", "added_at"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))
    remark: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    remark_corp_name: Mapped[str] = mapped_column(String(100), default="")
    remark_mobiles: Mapped[list[str]] = mapped_column(default=list)
    add_way: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(64), default="")
    oper_userid: Mapped[str] = mapped_column(String(64), default="")
    added_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_by: Mapped[str | None] = mapped_column(String(16), default=None)
    synced_run_id: Mapped[int | None] = mapped_column(default=None)


class RelationTag(Base):
    """A corp tag on one follow relation (WeCom keeps tags per relation)."""

    __tablename__ = "relation_tags"
    __table_args__ = (Index("ix_relation_tags_corp_tag", "corp_id", "tag_id"),)

    relation_id: Mapped[int] = mapped_column(
        ForeignKey("follow_relations.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))


class TimelineEvent(Base):
    """One entry of a customer's timeline; kinds are listed in ``siyu.customers.timeline``."""

    __tablename__ = "timeline_events"
    __table_args__ = (
        Index("ix_timeline_corp_customer_at", "corp_id", "customer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    userid: Mapped[str] = mapped_column(String(64), default="")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TagGroup(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "tag_groups"
    __table_args__ = (UniqueConstraint("corp_id", "group_id"),)

    group_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    order: Mapped[int] = mapped_column(default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class Tag(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("corp_id", "tag_id"),)

    tag_id: Mapped[str] = mapped_column(String(64))
    group_pk: Mapped[int] = mapped_column(ForeignKey("tag_groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    order: Mapped[int] = mapped_column(default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class CustomerChange(Base):
    """One customer whose segment-relevant facts changed; ``id`` orders changes per corp.

    Every process keeps its bitmaps current by reading the rows after the last id it saw.
    Writers of one corp are serialized (see ``changelog.record``), so ids commit in order.
    """

    __tablename__ = "segment_changes"
    __table_args__ = (
        Index("ix_segment_changes_corp_id_id", "corp_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
    customer_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
