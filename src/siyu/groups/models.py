"""Customer group chats and their members mirrored from WeCom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin


class GroupChat(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "group_chats"
    __table_args__ = (UniqueConstraint("corp_id", "chat_id"),)

    chat_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    owner: Mapped[str] = mapped_column(String(64), default="")
    notice: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[int] = mapped_column(default=0)
    created_at_wecom: Mapped[datetime | None] = mapped_column(default=None)
    member_count: Mapped[int] = mapped_column(default=0)
    dismissed_at: Mapped[datetime | None] = mapped_column(default=None)


class GroupMember(CorpScoped, IdMixin, Base):
    """A member of a group chat; ``left_at`` keeps members who left as history."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_pk", "member_id"),)

    group_pk: Mapped[int] = mapped_column(ForeignKey("group_chats.id", ondelete="CASCADE"))
    member_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[int] = mapped_column(default=2)
    name: Mapped[str] = mapped_column(String(100), default="")
    group_nickname: Mapped[str] = mapped_column(String(100), default="")
    join_time: Mapped[datetime | None] = mapped_column(default=None)
    join_scene: Mapped[int] = mapped_column(default=0)
    invitor: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(64), default="")
    left_at: Mapped[datetime | None] = mapped_column(default=None)
