"""acquisition: channel codes, welcome sends, attribution and daily stats, group codes,
ownership (collision lock), loss records and app messages

Revision ID: 0003_acquisition
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "0003_acquisition"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "acquisition_images",
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_id", sa.String(length=200), nullable=False),
        sa.Column("media_expires_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
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
            name=op.f("fk_acquisition_images_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acquisition_images")),
    )
    with op.batch_alter_table("acquisition_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_acquisition_images_corp_id"), ["corp_id"], unique=False
        )

    op.create_table(
        "acquisition_settings",
        sa.Column("collision_lock", sa.Boolean(), nullable=False),
        sa.Column("loss_alerts", sa.Boolean(), nullable=False),
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
            name=op.f("fk_acquisition_settings_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acquisition_settings")),
        sa.UniqueConstraint("corp_id", name=op.f("uq_acquisition_settings_corp_id")),
    )
    with op.batch_alter_table("acquisition_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_acquisition_settings_corp_id"), ["corp_id"], unique=False
        )

    op.create_table(
        "app_messages",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "userids",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("created_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_app_messages_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_messages")),
    )
    with op.batch_alter_table("app_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_messages_corp_id"), ["corp_id"], unique=False)
        batch_op.create_index("ix_app_messages_corp_status", ["corp_id", "status"], unique=False)

    op.create_table(
        "channel_codes",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("group_name", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("config_id", sa.String(length=64), nullable=False),
        sa.Column("qr_code", sa.String(length=500), nullable=False),
        sa.Column(
            "userids",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "dept_ids",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("skip_verify", sa.Boolean(), nullable=False),
        sa.Column(
            "accept_window",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=True,
        ),
        sa.Column("expires_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "tag_ids",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("remark_template", sa.String(length=100), nullable=False),
        sa.Column(
            "welcome",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "welcome_variants",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "staff",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "backups",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "members",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("applied_skip_verify", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
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
            name=op.f("fk_channel_codes_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_codes")),
        sa.UniqueConstraint("corp_id", "name", name=op.f("uq_channel_codes_corp_id_name")),
        sa.UniqueConstraint("corp_id", "state", name=op.f("uq_channel_codes_corp_id_state")),
    )
    with op.batch_alter_table("channel_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_codes_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "group_codes",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("config_id", sa.String(length=64), nullable=False),
        sa.Column("qr_code", sa.String(length=500), nullable=False),
        sa.Column(
            "chat_ids",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("auto_create_room", sa.Boolean(), nullable=False),
        sa.Column("room_base_name", sa.String(length=40), nullable=False),
        sa.Column("room_base_id", sa.Integer(), nullable=False),
        sa.Column("deleted_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
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
            ["corp_id"], ["corps.id"], name=op.f("fk_group_codes_corp_id_corps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_codes")),
        sa.UniqueConstraint("corp_id", "state", name=op.f("uq_group_codes_corp_id_state")),
    )
    with op.batch_alter_table("group_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_codes_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "channel_adds",
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("added_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("deleted_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=16), nullable=True),
        sa.Column("extras_status", sa.String(length=16), nullable=False),
        sa.Column("extras_error", sa.String(length=300), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel_codes.id"],
            name=op.f("fk_channel_adds_channel_id_channel_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_channel_adds_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_channel_adds_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_adds")),
    )
    with op.batch_alter_table("channel_adds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_channel_adds_corp_channel_day", ["corp_id", "channel_id", "day"], unique=False
        )
        batch_op.create_index(
            "ix_channel_adds_corp_customer", ["corp_id", "customer_id", "userid"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_channel_adds_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "channel_daily_stats",
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("adds", sa.Integer(), nullable=False),
        sa.Column("lost", sa.Integer(), nullable=False),
        sa.Column("cohort_lost", sa.Integer(), nullable=False),
        sa.Column("lost_1d", sa.Integer(), nullable=False),
        sa.Column("lost_7d", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel_codes.id"],
            name=op.f("fk_channel_daily_stats_channel_id_channel_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_channel_daily_stats_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "corp_id", "channel_id", "day", "userid", name=op.f("pk_channel_daily_stats")
        ),
    )
    with op.batch_alter_table("channel_daily_stats", schema=None) as batch_op:
        batch_op.create_index("ix_channel_daily_stats_corp_day", ["corp_id", "day"], unique=False)

    op.create_table(
        "channel_day_stats",
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("adds", sa.Integer(), nullable=False),
        sa.Column("lost", sa.Integer(), nullable=False),
        sa.Column("cohort_lost", sa.Integer(), nullable=False),
        sa.Column("lost_1d", sa.Integer(), nullable=False),
        sa.Column("lost_7d", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel_codes.id"],
            name=op.f("fk_channel_day_stats_channel_id_channel_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_channel_day_stats_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("corp_id", "day", "channel_id", name=op.f("pk_channel_day_stats")),
    )
    op.create_table(
        "collisions",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("owner_userid", sa.String(length=64), nullable=False),
        sa.Column("other_userid", sa.String(length=64), nullable=False),
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel_codes.id"],
            name=op.f("fk_collisions_channel_id_channel_codes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name=op.f("fk_collisions_corp_id_corps"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_collisions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collisions")),
    )
    with op.batch_alter_table("collisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collisions_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "customer_owners",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("since", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_customer_owners_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_owners_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_owners")),
        sa.UniqueConstraint(
            "corp_id", "customer_id", name=op.f("uq_customer_owners_corp_id_customer_id")
        ),
    )
    with op.batch_alter_table("customer_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_owners_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "customer_sources",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("added_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel_codes.id"],
            name=op.f("fk_customer_sources_channel_id_channel_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_customer_sources_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_sources_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_sources")),
        sa.UniqueConstraint(
            "corp_id", "customer_id", name=op.f("uq_customer_sources_corp_id_customer_id")
        ),
    )
    with op.batch_alter_table("customer_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_sources_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "group_code_events",
        sa.Column("code_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["group_codes.id"],
            name=op.f("fk_group_code_events_code_id_group_codes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_group_code_events_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_code_events")),
    )
    with op.batch_alter_table("group_code_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_group_code_events_corp_code", ["corp_id", "code_id", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_group_code_events_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "loss_records",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("by", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("added_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("alerted", sa.Boolean(), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel_codes.id"],
            name=op.f("fk_loss_records_channel_id_channel_codes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_loss_records_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_loss_records_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loss_records")),
    )
    with op.batch_alter_table("loss_records", schema=None) as batch_op:
        batch_op.create_index("ix_loss_records_corp_at", ["corp_id", "deleted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_loss_records_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "owner_changes",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("from_userid", sa.String(length=64), nullable=False),
        sa.Column("to_userid", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_owner_changes_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_owner_changes_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_changes")),
    )
    with op.batch_alter_table("owner_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_owner_changes_corp_customer", ["corp_id", "customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_owner_changes_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "welcome_sends",
        sa.Column("welcome_code", sa.String(length=128), nullable=False),
        sa.Column(
            "channel_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("external_userid", sa.String(length=64), nullable=False),
        sa.Column("userid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column(
            "content",
            sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", siyu.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel_codes.id"],
            name=op.f("fk_welcome_sends_channel_id_channel_codes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_welcome_sends_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_welcome_sends")),
        sa.UniqueConstraint(
            "corp_id", "welcome_code", name=op.f("uq_welcome_sends_corp_id_welcome_code")
        ),
    )
    with op.batch_alter_table("welcome_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_welcome_sends_corp_id"), ["corp_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("welcome_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_welcome_sends_corp_id"))

    op.drop_table("welcome_sends")
    with op.batch_alter_table("owner_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_owner_changes_corp_id"))
        batch_op.drop_index("ix_owner_changes_corp_customer")

    op.drop_table("owner_changes")
    with op.batch_alter_table("loss_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loss_records_corp_id"))
        batch_op.drop_index("ix_loss_records_corp_at")

    op.drop_table("loss_records")
    with op.batch_alter_table("group_code_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_code_events_corp_id"))
        batch_op.drop_index("ix_group_code_events_corp_code")

    op.drop_table("group_code_events")
    with op.batch_alter_table("customer_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_sources_corp_id"))

    op.drop_table("customer_sources")
    with op.batch_alter_table("customer_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_owners_corp_id"))

    op.drop_table("customer_owners")
    with op.batch_alter_table("collisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collisions_corp_id"))

    op.drop_table("collisions")
    with op.batch_alter_table("channel_daily_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_channel_daily_stats_corp_day")

    op.drop_table("channel_daily_stats")
    op.drop_table("channel_day_stats")
    with op.batch_alter_table("channel_adds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_adds_corp_id"))
        batch_op.drop_index("ix_channel_adds_corp_customer")
        batch_op.drop_index("ix_channel_adds_corp_channel_day")

    op.drop_table("channel_adds")
    with op.batch_alter_table("group_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_codes_corp_id"))

    op.drop_table("group_codes")
    with op.batch_alter_table("channel_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_codes_corp_id"))

    op.drop_table("channel_codes")
    with op.batch_alter_table("app_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_app_messages_corp_status")
        batch_op.drop_index(batch_op.f("ix_app_messages_corp_id"))

    op.drop_table("app_messages")
    with op.batch_alter_table("acquisition_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acquisition_settings_corp_id"))

    op.drop_table("acquisition_settings")
    with op.batch_alter_table("acquisition_images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acquisition_images_corp_id"))

    op.drop_table("acquisition_images")
