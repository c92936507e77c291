"""accounts: console users and the audit log

Revision ID: 0002_accounts
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "0002_accounts"
down_revision = "0001"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")


def _when(name: str, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, siyu.db.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("corp_id", BIGINT, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("userid", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        _when("last_login_at", True),
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        _when("created_at", False),
        _when("updated_at", False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_console_users_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("corp_id", "username", name=op.f("uq_console_users_corp_id_username")),
    )
    with op.batch_alter_table("console_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_users_corp_id"), ["corp_id"], unique=False)
        batch_op.create_index("ix_console_users_corp_userid", ["corp_id", "userid"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("corp_id", BIGINT, nullable=False),
        _when("at", False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name=op.f("fk_audit_log_corp_id_corps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_corp_id"), ["corp_id"], unique=False)
        batch_op.create_index("ix_audit_log_corp_at", ["corp_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("console_users")
