"""content: folders, item tags, stored files, WeCom media, archive; opens with OAuth and read time

Revision ID: 0007_content_library
Revises: 0007_content
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "0007_content_library"
down_revision = "0007_content"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = siyu.db.base.UTCDateTime(timezone=True)


def _corp_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["corp_id"], ["corps.id"], name=f"fk_{table}_corp_id_corps", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "content_folders",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("parent_id", PK, nullable=True),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _corp_fk("content_folders"),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["content_folders.id"],
            name="fk_content_folders_parent_id_content_folders",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_content_folders"),
    )
    op.create_index("ix_content_folders_corp_id", "content_folders", ["corp_id"])
    op.create_index("ix_content_folders_corp_parent", "content_folders", ["corp_id", "parent_id"])
    op.create_table(
        "content_files",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _corp_fk("content_files"),
        sa.PrimaryKeyConstraint("id", name="pk_content_files"),
    )
    op.create_index("ix_content_files_corp_id", "content_files", ["corp_id"])
    with op.batch_alter_table("content_items") as batch:
        batch.add_column(sa.Column("folder_id", PK, nullable=True))
        batch.add_column(sa.Column("sends", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("appid", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("page", sa.String(300), nullable=False, server_default=""))
        batch.add_column(sa.Column("file_id", PK, nullable=True))
        batch.add_column(sa.Column("filename", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("size", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("media_id", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("media_uploaded_at", TS, nullable=True))
        batch.add_column(sa.Column("image_url", sa.String(1000), nullable=False, server_default=""))
        batch.add_column(sa.Column("archived_at", TS, nullable=True))
        batch.create_foreign_key(
            "fk_content_items_folder_id_content_folders",
            "content_folders",
            ["folder_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            "fk_content_items_file_id_content_files",
            "content_files",
            ["file_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "content_item_tags",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("item_id", PK, nullable=False),
        sa.Column("tag", sa.String(30), nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        _corp_fk("content_item_tags"),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["content_items.id"],
            name="fk_content_item_tags_item_id_content_items",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_content_item_tags"),
        sa.UniqueConstraint("item_id", "tag", name="uq_content_item_tags_item_id_tag"),
    )
    op.create_index("ix_content_item_tags_corp_id", "content_item_tags", ["corp_id"])
    op.create_index("ix_content_item_tags_corp_tag", "content_item_tags", ["corp_id", "tag"])
    with op.batch_alter_table("radar_opens") as batch:
        batch.add_column(sa.Column("broadcast_id", PK, nullable=True))
        batch.add_column(
            sa.Column("identified_by", sa.String(8), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("openid", sa.String(64), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("read_seconds", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_read_at", TS, nullable=True))
        batch.add_column(sa.Column("timeline_id", PK, nullable=True))
    op.create_index("ix_radar_opens_corp_broadcast", "radar_opens", ["corp_id", "broadcast_id"])


def downgrade() -> None:
    op.drop_index("ix_radar_opens_corp_broadcast", "radar_opens")
    with op.batch_alter_table("radar_opens") as batch:
        for col in (
            "broadcast_id",
            "identified_by",
            "openid",
            "read_seconds",
            "last_read_at",
            "timeline_id",
        ):
            batch.drop_column(col)
    op.drop_table("content_item_tags")
    with op.batch_alter_table("content_items") as batch:
        batch.drop_constraint("fk_content_items_file_id_content_files", type_="foreignkey")
        batch.drop_constraint("fk_content_items_folder_id_content_folders", type_="foreignkey")
        for col in (
            "folder_id",
            "sends",
            "appid",
            "page",
            "file_id",
            "filename",
            "size",
            "media_id",
            "media_uploaded_at",
            "image_url",
            "archived_at",
        ):
            batch.drop_column(col)
    op.drop_table("content_files")
    op.drop_table("content_folders")
