"""Corps (tenants) and their API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, IdMixin, TimestampMixin


class Corp(IdMixin, TimestampMixin, Base):
    """One WeCom corp with its credentials; secrets are encrypted at rest (``*_enc``)."""

    __tablename__ = "corps"

    wecom_corp_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    api_base: Mapped[str] = mapped_column(String(300), default="https://qyapi.weixin.qq.com")
    secret_enc: Mapped[str] = mapped_column(Text)
    token_enc: Mapped[str] = mapped_column(Text)
    aes_key_enc: Mapped[str] = mapped_column(Text)
    agent_id: Mapped[int | None] = mapped_column(default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    next_customer_seq: Mapped[int] = mapped_column(default=1)
    last_synced_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiKey(IdMixin, TimestampMixin, Base):
    """A bearer key for integrators; only its SHA-256 is stored."""

    __tablename__ = "api_keys"

    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
