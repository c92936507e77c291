"""corps: what an API key did reads as the key's name

The principal of an API key used to be named ``api-key:<prefix>``, and that string was stored
as the creator / actor of what the key did. Principals are now named by the key's name; this
rewrites the stored ``api-key:<prefix>`` values to the key's name (issue 13 §3).

Revision ID: corps_0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "corps_0001"
down_revision = "0001"
branch_labels = None
depends_on = (
    "0002_accounts",
    "0006_broadcast_moments",
    "frontline_0001",
    "0008_sop",
    "tags_0001_batch_lease",
    "customer_stages_0002",
    "0003_acquisition",
)

#: (table, column) holding who did something, as the principal's name
COLUMNS = [
    ("audit_log", "actor"),
    ("broadcasts", "created_by"),
    ("frontline_tasks", "created_by"),
    ("sop_templates", "created_by"),
    ("sop_tasks", "finished_by"),
    ("batch_tag_jobs", "requested_by"),
    ("customer_stage_states", "changed_by"),
    ("owner_changes", "changed_by"),
]


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    keys = bind.execute(sa.text("SELECT corp_id, prefix, name FROM api_keys")).all()
    for table, column in COLUMNS:
        if table not in tables:
            continue
        for corp_id, prefix, name in keys:
            if not name:
                continue
            bind.execute(
                sa.text(
                    f"UPDATE {table} SET {column} = :name "  # table and column from COLUMNS
                    f"WHERE corp_id = :corp AND {column} = :old"
                ),
                {"name": name[:100], "corp": corp_id, "old": f"api-key:{prefix}"},
            )


def downgrade() -> None:
    """The key names stay: which rows held a prefix is not known any more."""
