"""frontline: an assignee's part completed through a JS-SDK share API (the mobile workbench)

Revision ID: frontline_0002
Revises: frontline_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "frontline_0002"
down_revision = "frontline_0001"
branch_labels = None
depends_on = None

TS = siyu.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("frontline_assignees") as batch_op:
        batch_op.add_column(sa.Column("shared_at", TS, nullable=True))
        batch_op.add_column(
            sa.Column("share_api", sa.String(32), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("frontline_assignees") as batch_op:
        batch_op.drop_column("share_api")
        batch_op.drop_column("shared_at")
