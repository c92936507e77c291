"""Corp tag groups and tags mirrored from WeCom (deleted ones kept with ``deleted_at``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin


class BatchTagJob(CorpScoped, IdMixin, TimestampMixin, Base):
    """A batch tag/untag of many customers, written to WeCom per follow relation by a worker."""

    __tablename__ = "batch_tag_jobs"

    add_tag_ids: Mapped[list[str]] = mapped_column(default=list)
    remove_tag_ids: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    requested_by: Mapped[str] = mapped_column(String(100), default="")
    cancelled: Mapped[int] = mapped_column(default=0)
    # The running worker's lease (renewed at every chunk); an expired one is resumed.
    leased_until: Mapped[datetime | None] = mapped_column(default=None)
    lease_token: Mapped[str | None] = mapped_column(String(32), default=None)
    resumed: Mapped[int] = mapped_column(default=0)


class BatchTagItem(CorpScoped, IdMixin, Base):
    """One follow relation of a batch tag job: pending → sending → done | failed (with the
    reason) | cancelled."""

    __tablename__ = "batch_tag_items"
    __table_args__ = (UniqueConstraint("job_id", "relation_id"),)

    job_id: Mapped[int] = mapped_column(ForeignKey("batch_tag_jobs.id", ondelete="CASCADE"))
    relation_id: Mapped[int] = mapped_column(ForeignKey("follow_relations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    error: Mapped[str | None] = mapped_column(String(300), default=None)
