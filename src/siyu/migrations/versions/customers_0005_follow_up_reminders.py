"""customers: follow-up reminders (issue 16): the due-reminder guard of each follow-up and the
once-a-day morning digest per employee

Revision ID: customers_0005
Revises: customers_0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "customers_0005"
down_revision = "customers_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminded_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_follow_ups_reminded_due", ["reminded_at", "due_at"], unique=False)
    # follow-ups already past when this runs are not reminded late: they show as overdue
    op.execute("UPDATE follow_ups SET reminded_at = updated_at WHERE due_at <= updated_at")

    op.create_table(
        "follow_up_digests",
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_follow_up_digests_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("corp_id", "userid", "day", name=op.f("pk_follow_up_digests")),
    )


def downgrade() -> None:
    op.drop_table("follow_up_digests")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_reminded_due")
        batch_op.drop_column("reminded_at")
