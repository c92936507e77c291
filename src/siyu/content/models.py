"""Content library: folders, items (+ their tags and stored files) and radar opens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigIntPK, CorpScoped, IdMixin, TimestampMixin


class ContentFolder(CorpScoped, IdMixin, TimestampMixin, Base):
    """A folder of the library; folders nest (``parent_id``), the root is ``None``."""

    __tablename__ = "content_folders"
    __table_args__ = (Index("ix_content_folders_corp_parent", "corp_id", "parent_id"),)

    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_folders.id", ondelete="SET NULL"), default=None
    )


class ContentFile(CorpScoped, IdMixin, TimestampMixin, Base):
    """The bytes of an uploaded image, file or video (kept in the database, see docs)."""

    __tablename__ = "content_files"

    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


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
    #: the folder's name (kept in step with ``folder_id`` on rename / move / delete)
    folder: Mapped[str] = mapped_column(String(100), default="")
    folder_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_folders.id", ondelete="SET NULL"), default=None
    )
    tags: Mapped[list[str]] = mapped_column(default=list)
    #: radar links made
    uses: Mapped[int] = mapped_column(default=0)
    #: times sent in a message (broadcasts, SOP steps)
    sends: Mapped[int] = mapped_column(default=0)
    opens: Mapped[int] = mapped_column(default=0)
    appid: Mapped[str] = mapped_column(String(64), default="")
    page: Mapped[str] = mapped_column(String(300), default="")
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_files.id", ondelete="SET NULL"), default=None
    )
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(default=0)
    #: WeCom temporary media (``media/upload``, valid 3 days) of the file or cover image
    media_id: Mapped[str] = mapped_column(String(200), default="")
    media_uploaded_at: Mapped[datetime | None] = mapped_column(default=None)
    #: WeCom's permanent URL of an image (``media/uploadimg``), for link covers
    image_url: Mapped[str] = mapped_column(String(1000), default="")
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    #: the generation of its radar links: revoking every link moves it on (older links: 410)
    link_epoch: Mapped[int] = mapped_column(default=0)


class ContentTag(CorpScoped, IdMixin, Base):
    """One tag of one item (the item's ``tags`` list, as rows to filter and count by)."""

    __tablename__ = "content_item_tags"
    __table_args__ = (
        UniqueConstraint("item_id", "tag"),
        Index("ix_content_item_tags_corp_tag", "corp_id", "tag"),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(30))


class RadarOpen(CorpScoped, IdMixin, Base):
    """One open of a radar link: the customer (from the link, or identified by OAuth), the
    broadcast it came through, and how long an article was read."""

    __tablename__ = "radar_opens"
    __table_args__ = (
        Index("ix_radar_opens_corp_item", "corp_id", "item_id"),
        Index("ix_radar_opens_corp_broadcast", "corp_id", "broadcast_id"),
        Index("ix_radar_opens_corp_link_client", "corp_id", "link", "client"),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(default=None)
    userid: Mapped[str] = mapped_column(String(64), default="")
    opened_at: Mapped[datetime]
    broadcast_id: Mapped[int | None] = mapped_column(BigIntPK, default=None)
    #: link (the token named the customer) | oauth (identified) | "" (unknown opener)
    identified_by: Mapped[str] = mapped_column(String(8), default="")
    openid: Mapped[str] = mapped_column(String(64), default="")
    read_seconds: Mapped[int] = mapped_column(default=0)
    last_read_at: Mapped[datetime | None] = mapped_column(default=None)
    #: the customer's ``radar_opened`` timeline row (updated with the read time)
    timeline_id: Mapped[int | None] = mapped_column(BigIntPK, default=None)
    #: the link opened (its signature, :func:`siyu.content.radar.link_id`), to revoke it
    link: Mapped[str] = mapped_column(String(32), default="")
    #: who opened it (a hash of IP and user agent): their later hits within the window only
    #: bump ``hits`` (:data:`siyu.content.opens.DEDUP_WINDOW`)
    client: Mapped[str] = mapped_column(String(32), default="")
    hits: Mapped[int] = mapped_column(default=1)
    #: whether the employee got an app message for it (one per customer per window)
    notified: Mapped[bool] = mapped_column(default=False)


class RadarRevokedLink(CorpScoped, IdMixin, Base):
    """One revoked radar link (by its signature): opening it answers 410."""

    __tablename__ = "radar_revoked_links"
    __table_args__ = (UniqueConstraint("corp_id", "link"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    link: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[datetime]
