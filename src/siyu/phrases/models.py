"""The reply library (话术库): corp folders and phrases, personal phrases, and their uses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin


class PhraseFolder(CorpScoped, IdMixin, TimestampMixin, Base):
    """A folder of corp phrases; folders are one flat, ordered list (``position``)."""

    __tablename__ = "phrase_folders"
    __table_args__ = (UniqueConstraint("corp_id", "name"),)

    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)


class Phrase(CorpScoped, IdMixin, TimestampMixin, Base):
    """One phrase: ``corp`` (managed by operators, published to everyone or to departments) or
    ``personal`` (one employee's own, ``owner_userid``)."""

    __tablename__ = "phrases"
    __table_args__ = (
        Index("ix_phrases_corp_scope_folder", "corp_id", "scope", "folder_id"),
        Index("ix_phrases_corp_owner", "corp_id", "owner_userid"),
    )

    scope: Mapped[str] = mapped_column(String(16))
    owner_userid: Mapped[str] = mapped_column(String(64), default="")
    folder_id: Mapped[int | None] = mapped_column(
        ForeignKey("phrase_folders.id", ondelete="SET NULL"), default=None
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    #: a text phrase's words
    body: Mapped[str] = mapped_column(Text, default="")
    #: a link's description
    description: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    #: a cover image's URL (link, mini-program)
    cover: Mapped[str] = mapped_column(String(1000), default="")
    appid: Mapped[str] = mapped_column(String(64), default="")
    page: Mapped[str] = mapped_column(String(300), default="")
    #: an image phrase's bytes (stored like the content library's files)
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_files.id", ondelete="SET NULL"), default=None
    )
    #: empty: published to everyone; else only to these departments (and their subdepartments)
    department_ids: Mapped[list[int]] = mapped_column(default=list)
    #: WeCom temporary media of the image (``media/upload``, 3 days)
    media_id: Mapped[str] = mapped_column(String(200), default="")
    media_uploaded_at: Mapped[datetime | None] = mapped_column(default=None)
    uses: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class PhraseDepartment(CorpScoped, IdMixin, Base):
    """One department a corp phrase is published to (``Phrase.department_ids`` as rows, to
    filter a staff member's phrases in SQL)."""

    __tablename__ = "phrase_departments"
    __table_args__ = (
        UniqueConstraint("phrase_id", "dept_id"),
        Index("ix_phrase_departments_corp_dept", "corp_id", "dept_id"),
    )

    phrase_id: Mapped[int] = mapped_column(ForeignKey("phrases.id", ondelete="CASCADE"))
    dept_id: Mapped[int]


class PhraseUse(CorpScoped, IdMixin, Base):
    """One send of a phrase by an employee (the sidebar reports it after a successful send)."""

    __tablename__ = "phrase_uses"
    __table_args__ = (
        Index("ix_phrase_uses_corp_used", "corp_id", "used_at"),
        Index("ix_phrase_uses_phrase", "phrase_id"),
    )

    phrase_id: Mapped[int] = mapped_column(ForeignKey("phrases.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64), default="")
    used_at: Mapped[datetime]
