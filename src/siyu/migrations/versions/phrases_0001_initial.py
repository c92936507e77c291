"""phrases: the reply library (话术库): folders, phrases, their departments and uses

Revision ID: phrases_0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "phrases_0001"
down_revision = "0001"
branch_labels = None
depends_on = ("0007_content_library",)  # content_files

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")
TS = siyu.db.base.UTCDateTime(timezone=True)


def _corp(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["corp_id"], ["corps.id"], name=f"fk_{table}_corp_id_corps", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "phrase_folders",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _corp("phrase_folders"),
        sa.PrimaryKeyConstraint("id", name="pk_phrase_folders"),
        sa.UniqueConstraint("corp_id", "name", name="uq_phrase_folders_corp_id_name"),
    )
    op.create_index("ix_phrase_folders_corp_id", "phrase_folders", ["corp_id"])
    op.create_table(
        "phrases",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("owner_userid", sa.String(64), nullable=False),
        sa.Column("folder_id", PK, nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("cover", sa.String(1000), nullable=False),
        sa.Column("appid", sa.String(64), nullable=False),
        sa.Column("page", sa.String(300), nullable=False),
        sa.Column("file_id", PK, nullable=True),
        sa.Column("department_ids", JSON, nullable=False),
        sa.Column("media_id", sa.String(200), nullable=False),
        sa.Column("media_uploaded_at", TS, nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _corp("phrases"),
        sa.ForeignKeyConstraint(
            ["folder_id"],
            ["phrase_folders.id"],
            name="fk_phrases_folder_id_phrase_folders",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["content_files.id"],
            name="fk_phrases_file_id_content_files",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_phrases"),
    )
    op.create_index("ix_phrases_corp_id", "phrases", ["corp_id"])
    op.create_index("ix_phrases_corp_scope_folder", "phrases", ["corp_id", "scope", "folder_id"])
    op.create_index("ix_phrases_corp_owner", "phrases", ["corp_id", "owner_userid"])
    op.create_table(
        "phrase_departments",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("phrase_id", PK, nullable=False),
        sa.Column("dept_id", sa.Integer(), nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        _corp("phrase_departments"),
        sa.ForeignKeyConstraint(
            ["phrase_id"],
            ["phrases.id"],
            name="fk_phrase_departments_phrase_id_phrases",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_phrase_departments"),
        sa.UniqueConstraint("phrase_id", "dept_id", name="uq_phrase_departments_phrase_id_dept_id"),
    )
    op.create_index("ix_phrase_departments_corp_id", "phrase_departments", ["corp_id"])
    op.create_index("ix_phrase_departments_corp_dept", "phrase_departments", ["corp_id", "dept_id"])
    op.create_table(
        "phrase_uses",
        sa.Column("corp_id", PK, nullable=False),
        sa.Column("phrase_id", PK, nullable=False),
        sa.Column("userid", sa.String(64), nullable=False),
        sa.Column("used_at", TS, nullable=False),
        sa.Column("id", PK, autoincrement=True, nullable=False),
        _corp("phrase_uses"),
        sa.ForeignKeyConstraint(
            ["phrase_id"],
            ["phrases.id"],
            name="fk_phrase_uses_phrase_id_phrases",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_phrase_uses"),
    )
    op.create_index("ix_phrase_uses_corp_id", "phrase_uses", ["corp_id"])
    op.create_index("ix_phrase_uses_corp_used", "phrase_uses", ["corp_id", "used_at"])
    op.create_index("ix_phrase_uses_phrase", "phrase_uses", ["phrase_id"])


def downgrade() -> None:
    op.drop_table("phrase_uses")
    op.drop_table("phrase_departments")
    op.drop_table("phrases")
    op.drop_table("phrase_folders")
