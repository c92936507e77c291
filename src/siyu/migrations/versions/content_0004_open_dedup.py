"""content: radar opens de-duplicated per link and client; employees notified once a window

Revision ID: content_0004
Revises: content_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "content_0004"
down_revision = "content_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("radar_opens") as batch:
        batch.add_column(sa.Column("client", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("hits", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("notified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_radar_opens_corp_link_client", "radar_opens", ["corp_id", "link", "client"])


def downgrade() -> None:
    op.drop_index("ix_radar_opens_corp_link_client", "radar_opens")
    with op.batch_alter_table("radar_opens") as batch:
        batch.drop_column("notified")
        batch.drop_column("hits")
        batch.drop_column("client")
