"""content: library items and radar opens

Revision ID: 0007_content
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "0007_content"
down_revision = "0001"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
TS = siyu.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "content_items",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("cover", sa.String(1000), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("folder", sa.String(100), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name="fk_content_items_corp_id_corps", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_content_items"),
    )
    op.create_index("ix_content_items_corp_id", "content_items", ["corp_id"])
    op.create_index("ix_content_items_corp_folder", "content_items", ["corp_id", "folder"])
    op.create_table(
        "radar_opens",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("item_id", PK, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("userid", sa.String(64), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"], ["corps.id"], name="fk_radar_opens_corp_id_corps", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["content_items.id"],
            name="fk_radar_opens_item_id_content_items",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_radar_opens"),
    )
    op.create_index("ix_radar_opens_corp_id", "radar_opens", ["corp_id"])
    op.create_index("ix_radar_opens_corp_item", "radar_opens", ["corp_id", "item_id"])


def downgrade() -> None:
    op.drop_table("radar_opens")
    op.drop_table("content_items")
