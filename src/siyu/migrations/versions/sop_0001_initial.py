"""sop: templates, versioned steps, runs and step tasks (timers + to-dos)

Revision ID: 0008_sop
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "0008_sop"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "sop_templates",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("trigger_kind", sa.String(length=32), nullable=False),
        sa.Column(
            "trigger",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "stop", sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"), nullable=False
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("deleted_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("backfill_status", sa.String(length=16), nullable=False),
        sa.Column("backfill_total", sa.Integer(), nullable=False),
        sa.Column("backfill_done", sa.Integer(), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_sop_templates_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_templates")),
    )
    with op.batch_alter_table("sop_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sop_templates_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "sop_runs",
        sa.Column(
            "template_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("group_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stop_reason", sa.String(length=32), nullable=False),
        sa.Column("started_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name=op.f("fk_sop_runs_corp_id_corps"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_sop_runs_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_pk"],
            ["group_chats.id"],
            name=op.f("fk_sop_runs_group_pk_group_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["sop_templates.id"],
            name=op.f("fk_sop_runs_template_id_sop_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_runs")),
        sa.UniqueConstraint(
            "template_id", "customer_id", name=op.f("uq_sop_runs_template_id_customer_id")
        ),
        sa.UniqueConstraint(
            "template_id", "group_pk", name=op.f("uq_sop_runs_template_id_group_pk")
        ),
    )
    with op.batch_alter_table("sop_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sop_runs_corp_customer", ["corp_id", "customer_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sop_runs_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "sop_steps",
        sa.Column(
            "template_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "item_ids",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name=op.f("fk_sop_steps_corp_id_corps"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["sop_templates.id"],
            name=op.f("fk_sop_steps_template_id_sop_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_steps")),
        sa.UniqueConstraint(
            "template_id",
            "version",
            "position",
            name=op.f("uq_sop_steps_template_id_version_position"),
        ),
    )
    with op.batch_alter_table("sop_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sop_steps_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "sop_tasks",
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "template_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("step_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("group_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("overdue_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_by", sa.String(length=100), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name=op.f("fk_sop_tasks_corp_id_corps"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sop_runs.id"],
            name=op.f("fk_sop_tasks_run_id_sop_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["sop_steps.id"],
            name=op.f("fk_sop_tasks_step_id_sop_steps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["sop_templates.id"],
            name=op.f("fk_sop_tasks_template_id_sop_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_tasks")),
        sa.UniqueConstraint("run_id", "step_id", name=op.f("uq_sop_tasks_run_id_step_id")),
    )
    with op.batch_alter_table("sop_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sop_tasks_corp_id"), ["corp_id"], unique=False)
        batch_op.create_index(
            "ix_sop_tasks_corp_status_due", ["corp_id", "status", "due_at"], unique=False
        )
        batch_op.create_index(
            "ix_sop_tasks_corp_user_status", ["corp_id", "userid", "status"], unique=False
        )
        batch_op.create_index(
            "ix_sop_tasks_template_status", ["template_id", "status"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("sop_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_sop_tasks_template_status")
        batch_op.drop_index("ix_sop_tasks_corp_user_status")
        batch_op.drop_index("ix_sop_tasks_corp_status_due")
        batch_op.drop_index(batch_op.f("ix_sop_tasks_corp_id"))

    op.drop_table("sop_tasks")
    with op.batch_alter_table("sop_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sop_steps_corp_id"))

    op.drop_table("sop_steps")
    with op.batch_alter_table("sop_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sop_runs_corp_id"))
        batch_op.drop_index("ix_sop_runs_corp_customer")

    op.drop_table("sop_runs")
    with op.batch_alter_table("sop_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sop_templates_corp_id"))

    op.drop_table("sop_templates")
