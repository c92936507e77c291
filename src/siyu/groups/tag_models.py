"""Group tags (群标签): Siyu-only labels on customer group chats.

WeCom's server API has no tags for group chats (corp tags are on follow relations only), so
these live in Siyu: a corp's list of group tags and the tags on each group chat.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin


class GroupTag(CorpScoped, IdMixin, TimestampMixin, Base):
    __tablename__ = "group_tags"
    __table_args__ = (UniqueConstraint("corp_id", "name"),)

    name: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(default=0)


class GroupChatTag(Base):
    __tablename__ = "group_chat_tags"
    __table_args__ = (Index("ix_group_chat_tags_corp_tag", "corp_id", "tag_id"),)

    group_pk: Mapped[int] = mapped_column(
        ForeignKey("group_chats.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("group_tags.id", ondelete="CASCADE"), primary_key=True
    )
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
