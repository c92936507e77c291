"""customer stages: every registered corp without stages gets the defaults

Stages used to be seeded on a corp's first read of them; they are now seeded when the corp is
registered, and this gives the corps registered before that their defaults.

Revision ID: customer_stages_0002
Revises: customer_stages_0001
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "customer_stages_0002"
down_revision = "customer_stages_0001"
branch_labels = None
depends_on = None

#: the defaults as of this migration (siyu.customers.stages.DEFAULTS may change later)
DEFAULTS = [
    ("潜在客户", "open"),
    ("意向客户", "open"),
    ("成交客户", "won"),
    ("复购客户", "won"),
    ("流失", "lost"),
]


def upgrade() -> None:
    bind = op.get_bind()
    corps = bind.execute(
        sa.text(
            "SELECT id FROM corps WHERE NOT EXISTS "
            "(SELECT 1 FROM customer_stages s WHERE s.corp_id = corps.id)"
        )
    ).scalars()
    now = datetime.now(UTC)
    stages = sa.table(
        "customer_stages",
        sa.column("corp_id", sa.BigInteger()),
        sa.column("name", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("created_at", siyu.db.base.UTCDateTime(timezone=True)),
        sa.column("updated_at", siyu.db.base.UTCDateTime(timezone=True)),
    )
    rows = [
        {
            "corp_id": corp_id,
            "name": name,
            "kind": kind,
            "position": pos,
            "created_at": now,
            "updated_at": now,
        }
        for corp_id in corps
        for pos, (name, kind) in enumerate(DEFAULTS, start=1)
    ]
    if rows:
        op.bulk_insert(stages, rows)


def downgrade() -> None:
    pass  # the seeded stages are ordinary data by now
