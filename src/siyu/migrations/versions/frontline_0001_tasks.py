"""frontline: tasks for employees (营销任务) and their assignees

Revision ID: frontline_0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "frontline_0001"
down_revision = "0001"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
TS = siyu.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "frontline_tasks",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_ids", JSON, nullable=False),
        sa.Column("targets", JSON, nullable=False),
        sa.Column("department_ids", JSON, nullable=False),
        sa.Column("start_at", TS, nullable=True),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("remind_before_minutes", sa.Integer(), nullable=False),
        sa.Column("auto_reminded_at", TS, nullable=True),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.Column("synced_at", TS, nullable=True),
        sa.Column("totals", JSON, nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name="fk_frontline_tasks_corp_id_corps", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_frontline_tasks"),
    )
    op.create_index("ix_frontline_tasks_corp_id", "frontline_tasks", ["corp_id"])
    op.create_index("ix_frontline_tasks_corp_status", "frontline_tasks", ["corp_id", "status"])
    op.create_table(
        "frontline_assignees",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("task_id", PK, nullable=False),
        sa.Column("userid", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=True),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("not_sent", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.Column("opened_customers", sa.Integer(), nullable=False),
        sa.Column("reminds", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", TS, nullable=True),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name="fk_frontline_assignees_corp_id_corps",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["frontline_tasks.id"],
            name="fk_frontline_assignees_task_id_frontline_tasks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_frontline_assignees"),
        sa.UniqueConstraint("task_id", "userid", name="uq_frontline_assignees_task_id_userid"),
    )
    op.create_index("ix_frontline_assignees_corp_id", "frontline_assignees", ["corp_id"])
    op.create_index(
        "ix_frontline_assignees_corp_userid", "frontline_assignees", ["corp_id", "userid"]
    )


def downgrade() -> None:
    op.drop_table("frontline_assignees")
    op.drop_table("frontline_tasks")
