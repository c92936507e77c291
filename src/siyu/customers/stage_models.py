"""Customer lifecycle stages (客户阶段): per-corp definitions and each customer's current stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin, utcnow


class CustomerStage(CorpScoped, IdMixin, TimestampMixin, Base):
    """One stage of the corp's ordered list; ``kind`` is open | won | lost."""

    __tablename__ = "customer_stages"
    __table_args__ = (UniqueConstraint("corp_id", "name"),)

    name: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(8), default="open")
    position: Mapped[int] = mapped_column(default=0)


class CustomerStageState(Base):
    """A customer's current stage (one per customer, not per follow relation)."""

    __tablename__ = "customer_stage_states"
    __table_args__ = (Index("ix_customer_stage_states_corp_stage", "corp_id", "stage_id"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("customer_stages.id", ondelete="RESTRICT"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(100), default="")
