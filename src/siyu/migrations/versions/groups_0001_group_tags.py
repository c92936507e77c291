"""groups: group tags (群标签), Siyu-only labels on customer group chats (issue 15)

Revision ID: groups_0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "groups_0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_tags",
        sa.Column("name", sa.String(length=30), nullable=False),
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
            ["corp_id"], ["corps.id"], name=op.f("fk_group_tags_corp_id_corps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_tags")),
        sa.UniqueConstraint("corp_id", "name", name=op.f("uq_group_tags_corp_id_name")),
    )
    with op.batch_alter_table("group_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_tags_corp_id"), ["corp_id"], unique=False)

    op.create_table(
        "group_chat_tags",
        sa.Column("group_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tag_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("corp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["corp_id"],
            ["corps.id"],
            name=op.f("fk_group_chat_tags_corp_id_corps"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_pk"],
            ["group_chats.id"],
            name=op.f("fk_group_chat_tags_group_pk_group_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["group_tags.id"],
            name=op.f("fk_group_chat_tags_tag_id_group_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_pk", "tag_id", name=op.f("pk_group_chat_tags")),
    )
    with op.batch_alter_table("group_chat_tags", schema=None) as batch_op:
        batch_op.create_index("ix_group_chat_tags_corp_tag", ["corp_id", "tag_id"], unique=False)


def downgrade() -> None:
    op.drop_table("group_chat_tags")
    op.drop_table("group_tags")
