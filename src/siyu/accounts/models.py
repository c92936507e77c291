"""Console users and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, CorpScoped, IdMixin, TimestampMixin, utcnow


class ConsoleUser(CorpScoped, IdMixin, TimestampMixin, Base):
    """A person who signs in to the console or the sidebar.

    ``password_hash`` is an argon2 hash (None for users who only sign in through WeCom);
    ``userid`` links the WeCom employee (required for manager and staff); bumping
    ``session_epoch`` invalidates every session cookie issued before (password change, reset,
    logout, role change, disabling). ``must_change_password``: the password was given by
    someone else (an admin, the CLI, the demo); until the user changes it, their session may
    only change it, sign out or ask who they are.
    """

    __tablename__ = "console_users"
    __table_args__ = (
        UniqueConstraint("corp_id", "username"),
        Index("ix_console_users_corp_userid", "corp_id", "userid"),
    )

    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(Text, default=None)
    role: Mapped[str] = mapped_column(String(16), default="staff")
    userid: Mapped[str | None] = mapped_column(String(64), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    session_epoch: Mapped[int] = mapped_column(default=0)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEntry(CorpScoped, IdMixin, Base):
    """One write: who, what, when; ``before``/``after`` for settings changes."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_corp_at", "corp_id", "at"),)

    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    actor_kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(default=None)
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[int | None] = mapped_column(default=None)
    ip: Mapped[str] = mapped_column(String(64), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(default=None)
