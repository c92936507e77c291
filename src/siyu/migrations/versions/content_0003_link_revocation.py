"""content: radar links can be revoked (one link by its signature, or every link of an item)

Revision ID: content_0003
Revises: 0007_content_library
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "content_0003"
down_revision = "0007_content_library"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = siyu.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("content_items") as batch:
        batch.add_column(sa.Column("link_epoch", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("radar_opens") as batch:
        batch.add_column(sa.Column("link", sa.String(32), nullable=False, server_default=""))
    op.create_table(
        "radar_revoked_links",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("item_id", PK, nullable=False),
        sa.Column("link", sa.String(32), nullable=False),
        sa.Column("revoked_at", TS, nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name="fk_radar_revoked_links_corp_id_corps",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["content_items.id"],
            name="fk_radar_revoked_links_item_id_content_items",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_radar_revoked_links"),
        sa.UniqueConstraint("corp_id", "link", name="uq_radar_revoked_links_corp_id_link"),
    )
    op.create_index("ix_radar_revoked_links_corp_id", "radar_revoked_links", ["corp_id"])


def downgrade() -> None:
    op.drop_index("ix_radar_revoked_links_corp_id", "radar_revoked_links")
    op.drop_table("radar_revoked_links")
    with op.batch_alter_table("radar_opens") as batch:
        batch.drop_column("link")
    with op.batch_alter_table("content_items") as batch:
        batch.drop_column("link_epoch")
