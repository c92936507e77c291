"""broadcasts: a sender job's WeCom result (moment tasks: moment_id, invalid senders/tags)

Revision ID: 0006_broadcast_moments
Revises: 0005_broadcasts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_broadcast_moments"
down_revision = "0005_broadcasts"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(sa.JSON(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.add_column("broadcast_senders", sa.Column("result", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcast_senders") as batch:
        batch.drop_column("result")
