"""segments: change log, saved segments, snapshots, rule tags

Revision ID: 0004_segments
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "0004_segments"
down_revision = "0001"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
TS = siyu.db.base.UTCDateTime(timezone=True)


def _corp_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["corp_id"], ["corps.id"], name=f"fk_{table}_corp_id_corps", ondelete="CASCADE"
    )


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "segment_changes",
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _corp_fk("segment_changes"),
        sa.PrimaryKeyConstraint("id", name="pk_segment_changes"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_segment_changes_corp_id_id", "segment_changes", ["corp_id", "id"])
    op.create_table(
        "segments",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("rule", JSON, nullable=False),
        sa.Column("include_deleted", sa.Boolean(), nullable=False),
        *_stamps(),
        _corp_fk("segments"),
        sa.PrimaryKeyConstraint("id", name="pk_segments"),
        sa.UniqueConstraint("corp_id", "name", name="uq_segments_corp_id_name"),
    )
    op.create_index("ix_segments_corp_id", "segments", ["corp_id"])
    op.create_table(
        "segment_snapshots",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("segment_id", PK, nullable=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("rule", JSON, nullable=False),
        sa.Column("include_deleted", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("members", sa.LargeBinary(), nullable=False),
        *_stamps(),
        _corp_fk("segment_snapshots"),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name="fk_segment_snapshots_segment_id_segments",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_segment_snapshots"),
    )
    op.create_index("ix_segment_snapshots_corp_id", "segment_snapshots", ["corp_id"])
    op.create_index("ix_segment_snapshots_segment_id", "segment_snapshots", ["segment_id"])
    op.create_table(
        "rule_tags",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("rule", JSON, nullable=False),
        sa.Column("tag_id", sa.String(64), nullable=False),
        sa.Column("remove_when_unmatched", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("evaluated_at", TS, nullable=True),
        *_stamps(),
        _corp_fk("rule_tags"),
        sa.PrimaryKeyConstraint("id", name="pk_rule_tags"),
        sa.UniqueConstraint("corp_id", "name", name="uq_rule_tags_corp_id_name"),
    )
    op.create_index("ix_rule_tags_corp_id", "rule_tags", ["corp_id"])


def downgrade() -> None:
    op.drop_table("rule_tags")
    op.drop_table("segment_snapshots")
    op.drop_table("segments")
    op.drop_table("segment_changes")
