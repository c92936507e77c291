"""tags: a lease on a running batch tag job, resumed and cancelled counts

Revision ID: tags_0001_batch_lease
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "tags_0001_batch_lease"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = siyu.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("batch_tag_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leased_until", TS, nullable=True))
        batch_op.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("resumed", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("cancelled", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("batch_tag_jobs", schema=None) as batch_op:
        batch_op.drop_column("cancelled")
        batch_op.drop_column("resumed")
        batch_op.drop_column("lease_token")
        batch_op.drop_column("leased_until")
