"""Content items and radar opens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin


class ContentItem(CorpScoped, IdMixin, TimestampMixin, Base):
    """One item of the library: text, link, image, mini-program, file, video or article."""

    __tablename__ = "content_items"
    __table_args__ = (Index("ix_content_items_corp_folder", "corp_id", "folder"),)

    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    cover: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    folder: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    uses: Mapped[int] = mapped_column(default=0)
    opens: Mapped[int] = mapped_column(default=0)


class RadarOpen(CorpScoped, IdMixin, Base):
    """One open of a radar link (the customer when the link carried one)."""

    __tablename__ = "radar_opens"
    __table_args__ = (Index("ix_radar_opens_corp_item", "corp_id", "item_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(default=None)
    userid: Mapped[str] = mapped_column(String(64), default="")
    opened_at: Mapped[datetime]
