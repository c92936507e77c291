"""customer stages: per-corp lifecycle stages and each customer's current stage

Revision ID: customer_stages_0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "customer_stages_0001"
down_revision = "0001"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = siyu.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "customer_stages",
        sa.Column("name", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name="fk_customer_stages_corp_id_corps", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_customer_stages"),
        sa.UniqueConstraint("corp_id", "name", name="uq_customer_stages_corp_id_name"),
    )
    op.create_index("ix_customer_stages_corp_id", "customer_stages", ["corp_id"])
    op.create_table(
        "customer_stage_states",
        sa.Column("customer_id", PK, nullable=False),
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("stage_id", PK, nullable=False),
        sa.Column("changed_at", TS, nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name="fk_customer_stage_states_corp_id_corps",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name="fk_customer_stage_states_customer_id_customers",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["customer_stages.id"],
            name="fk_customer_stage_states_stage_id_customer_stages",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("customer_id", name="pk_customer_stage_states"),
    )
    op.create_index(
        "ix_customer_stage_states_corp_stage", "customer_stage_states", ["corp_id", "stage_id"]
    )


def downgrade() -> None:
    op.drop_table("customer_stage_states")
    op.drop_table("customer_stages")
