"""broadcasts: mass messages, sender jobs, the recipient ledger, per-corp cap setting

Revision ID: 0005_broadcasts
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "0005_broadcasts"
down_revision = "0001"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
TS = siyu.db.base.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("audience", JSON, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", JSON, nullable=False),
        sa.Column("scheduled_at", TS, nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("planned_at", TS, nullable=True),
        sa.Column("submitted_at", TS, nullable=True),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.Column("synced_at", TS, nullable=True),
        sa.Column("lease_owner", sa.String(80), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("senders", sa.Integer(), nullable=False),
        sa.Column("cap_blocked_estimate", sa.Integer(), nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("error", sa.String(300), nullable=True),
        *_stamps(),
        _fk("broadcasts", "corp_id", "corps"),
        sa.PrimaryKeyConstraint("id", name="pk_broadcasts"),
    )
    op.create_index("ix_broadcasts_corp_id", "broadcasts", ["corp_id"])
    op.create_index("ix_broadcasts_corp_status", "broadcasts", ["corp_id", "status"])
    op.create_table(
        "broadcast_senders",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("broadcast_id", PK, nullable=False),
        sa.Column("userid", sa.String(64), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("msgid", sa.String(64), nullable=True),
        sa.Column("in_flight_since", TS, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reconciled", sa.Boolean(), nullable=False),
        sa.Column("task_status", sa.Integer(), nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("reminds", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(300), nullable=True),
        *_stamps(),
        _fk("broadcast_senders", "corp_id", "corps"),
        _fk("broadcast_senders", "broadcast_id", "broadcasts"),
        sa.PrimaryKeyConstraint("id", name="pk_broadcast_senders"),
        sa.UniqueConstraint(
            "broadcast_id", "userid", "chunk", name="uq_broadcast_senders_broadcast_id_userid_chunk"
        ),
    )
    op.create_index("ix_broadcast_senders_corp_id", "broadcast_senders", ["corp_id"])
    op.create_table(
        "broadcast_recipients",
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("broadcast_id", PK, nullable=False),
        sa.Column("sender_id", PK, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("external_userid", sa.String(64), nullable=False),
        sa.Column("userid", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("sent_at", TS, nullable=True),
        _fk("broadcast_recipients", "corp_id", "corps"),
        _fk("broadcast_recipients", "broadcast_id", "broadcasts"),
        _fk("broadcast_recipients", "sender_id", "broadcast_senders"),
        sa.PrimaryKeyConstraint("id", name="pk_broadcast_recipients"),
    )
    op.create_index(
        "ix_broadcast_recipients_sender_ext",
        "broadcast_recipients",
        ["sender_id", "external_userid"],
    )
    op.create_index(
        "ix_broadcast_recipients_broadcast_id", "broadcast_recipients", ["broadcast_id", "id"]
    )
    op.create_table(
        "broadcast_settings",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("cap_rule", sa.String(16), nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        _fk("broadcast_settings", "corp_id", "corps"),
        sa.PrimaryKeyConstraint("id", name="pk_broadcast_settings"),
        sa.UniqueConstraint("corp_id", name="uq_broadcast_settings_corp_id"),
    )
    op.create_index("ix_broadcast_settings_corp_id", "broadcast_settings", ["corp_id"])


def downgrade() -> None:
    op.drop_table("broadcast_settings")
    op.drop_table("broadcast_recipients")
    op.drop_table("broadcast_senders")
    op.drop_table("broadcasts")
