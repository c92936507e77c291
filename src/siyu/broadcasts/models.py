"""Broadcast → sender jobs (one per employee per chunk of ≤10,000) → recipients.

Recipient states: ``planned`` → ``submitted`` (in a message WeCom accepted) → ``sent`` |
``not_sent`` (``reason``: frequency_cap, not_friend, cancelled) | ``failed`` (``reason``:
WeCom's fail_list or errcode). Sender job states: ``planned`` → ``in_flight`` (marked before
the call) → ``submitted`` (``msgid`` known) | ``failed`` | ``cancelled``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigIntPK, CorpScoped, IdMixin, JSONType, TimestampMixin


class Broadcast(CorpScoped, IdMixin, TimestampMixin, Base):
    """One mass message: audience, content, schedule, progress counters and a worker lease."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_corp_status", "corp_id", "status"),)

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="customer")
    #: scheduled | planning | submitting | submitted | cancelled | failed
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    scheduled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    planned_at: Mapped[datetime | None] = mapped_column(default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    synced_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_owner: Mapped[str | None] = mapped_column(String(80), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    total: Mapped[int] = mapped_column(default=0)
    senders: Mapped[int] = mapped_column(default=0)
    cap_blocked_estimate: Mapped[int] = mapped_column(default=0)
    #: recipient counts by state, refreshed after each step: {"planned": n, "sent": n, ...}
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(String(300), default=None)

    @property
    def content_item_id(self) -> int | None:
        """The attached library item (a ``content`` reference among the attachments)."""
        for a in self.attachments or []:
            if isinstance(a, dict) and a.get("msgtype") == "content":
                return int(a["content"]["item_id"])
        return None


class BroadcastSender(CorpScoped, IdMixin, TimestampMixin, Base):
    """A sender job: one add_msg_template call for one employee and ≤10,000 customers."""

    __tablename__ = "broadcast_senders"
    __table_args__ = (UniqueConstraint("broadcast_id", "userid", "chunk"),)

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))
    chunk: Mapped[int] = mapped_column(default=0)
    #: planned | in_flight | submitted | failed | cancelled
    status: Mapped[str] = mapped_column(String(16), default="planned")
    recipients: Mapped[int] = mapped_column(default=0)
    msgid: Mapped[str | None] = mapped_column(String(64), default=None)
    #: when the last attempt started (the reconcile window of get_groupmsg_list_v2 starts here)
    in_flight_since: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    reconciled: Mapped[bool] = mapped_column(default=False)
    #: WeCom's task status of this sender: 0 not sent yet, 2 sent
    task_status: Mapped[int | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    reminds: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(300), default=None)
    #: what WeCom reported beyond the msgid (moments: moment_id, invalid senders and tags)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)


class BroadcastRecipient(Base):
    """One customer of a broadcast (compact: a broadcast can have millions)."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        Index("ix_broadcast_recipients_sender_ext", "sender_id", "external_userid"),
        Index("ix_broadcast_recipients_broadcast_id", "broadcast_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    corp_id: Mapped[int] = mapped_column(ForeignKey("corps.id", ondelete="CASCADE"))
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("broadcast_senders.id", ondelete="CASCADE"))
    #: the customer (0 in group broadcasts)
    customer_id: Mapped[int]
    #: the target: the customer's external_userid, or the chat_id in group broadcasts
    external_userid: Mapped[str] = mapped_column(String(64))
    userid: Mapped[str] = mapped_column(String(64))
    #: planned | submitted | sent | not_sent | failed
    state: Mapped[str] = mapped_column(String(16), default="planned")
    reason: Mapped[str | None] = mapped_column(String(64), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class BroadcastSettings(CorpScoped, IdMixin, Base):
    """Per corp: WeCom's per-customer cap rule on corp mass messages (mirrors the admin's)."""

    __tablename__ = "broadcast_settings"
    __table_args__ = (UniqueConstraint("corp_id"),)

    #: off | month4 | days_of_month | week7 | day1
    cap_rule: Mapped[str] = mapped_column(String(16), default="month4")
