"""customers: indexes (and customers.last_active_at) that let the database count the dashboard

The dashboard counted its days in Python over every add and loss timestamp of the range. It now
counts index ranges (issue 13 §1): follow relations by (corp, added_at) and (corp, deleted_at)
per day, by (corp, userid, added_at) and (corp, state, added_at) per employee and channel, and
the live customers of a corp with their last activity: ``customers.last_active_at``, the newest
entry of the customer's timeline (every timeline writer moves it forward; filled here from the
timeline), so that active customers are an index range instead of a distinct count over the
timeline. (corp, userid, added_at) replaces (corp, userid), whose queries it serves as well.
The indexes of ended relations and of live customers are partial: with ``deleted_at`` in a full
index, a query for live rows (``deleted_at IS NULL``, one value to the statistics) would be
drawn to scan every live row of the corp.

Revision ID: customers_0003
Revises: customer_stages_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import siyu.db.base

revision = "customers_0003"
down_revision = "customer_stages_0002"
branch_labels = None
depends_on = None

FOLLOW_RELATIONS = {
    "ix_follow_relations_corp_userid_added": ["corp_id", "userid", "added_at"],
    "ix_follow_relations_corp_added": ["corp_id", "added_at"],
    "ix_follow_relations_corp_state_added": ["corp_id", "state", "added_at"],
}
ENDED = sa.text("deleted_at IS NOT NULL")
LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    for name, columns in FOLLOW_RELATIONS.items():
        op.create_index(name, "follow_relations", columns)
    op.create_index(
        "ix_follow_relations_corp_ended",
        "follow_relations",
        ["corp_id", "deleted_at"],
        sqlite_where=ENDED,
        postgresql_where=ENDED,
    )
    op.drop_index("ix_follow_relations_corp_userid", table_name="follow_relations")
    op.add_column(
        "customers",
        sa.Column("last_active_at", siyu.db.base.UTCDateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE customers SET last_active_at = (SELECT max(t.occurred_at) FROM timeline_events t"
        " WHERE t.corp_id = customers.corp_id AND t.customer_id = customers.id)"
    )
    op.create_index(
        "ix_customers_corp_live_active",
        "customers",
        ["corp_id", "last_active_at"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_customers_corp_live_active", table_name="customers")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("last_active_at")
    op.create_index("ix_follow_relations_corp_userid", "follow_relations", ["corp_id", "userid"])
    op.drop_index("ix_follow_relations_corp_ended", table_name="follow_relations")
    for name in FOLLOW_RELATIONS:
        op.drop_index(name, table_name="follow_relations")
