"""customers: the editable profile (issue 15): durable remark writes to WeCom, custom fields
and their values, Siyu-only profile facts (birthday), each employee's next follow-up

Revision ID: customers_0004
Revises: customers_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "customers_0004"
down_revision = "customers_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column(
            "options",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
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
            name=op.f("fk_custom_fields_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_fields")),
        sa.UniqueConstraint("corp_id", "name", name=op.f("uq_custom_fields_corp_id_name")),
    )
    with op.batch_alter_table("custom_fields", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_custom_fields_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "custom_field_values",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("field_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_custom_field_values_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_custom_field_values_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["field_id"],
            ["custom_fields.id"],
            name=op.f("fk_custom_field_values_field_id_custom_fields"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "field_id", name=op.f("pk_custom_field_values")),
    )
    with op.batch_alter_table("custom_field_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_custom_field_values_corp_field", ["corp_id", "field_id"], unique=False
        )

    op.create_table(
        "customer_profiles",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("updated_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_customer_profiles_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_profiles_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_profiles")),
    )

    op.create_table(
        "follow_ups",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("due_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        sa.Column("updated_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name=op.f("fk_follow_ups_corp_id_corps"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_follow_ups_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "userid", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_ups_corp_userid_due", ["corp_id", "userid", "due_at"], unique=False
        )

    op.create_table(
        "remark_writes",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column(
            "fields",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "previous",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("leased_until", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
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
            name=op.f("fk_remark_writes_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_remark_writes_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remark_writes")),
    )
    with op.batch_alter_table("remark_writes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_remark_writes_corp_customer", ["corp_id", "customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_remark_writes_corp_id"), ["corp_id"], unique=False)
        batch_op.create_index(
            "ix_remark_writes_status_updated", ["status", "updated_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("remark_writes")
    op.drop_table("follow_ups")
    op.drop_table("customer_profiles")
    op.drop_table("custom_field_values")
    op.drop_table("custom_fields")
