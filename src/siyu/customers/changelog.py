"""The ordered change log that keeps every process's bitmaps current.

Write paths that change a customer's segment facts (relations, tags, status, attributes) call
:func:`record` inside their transaction. On PostgreSQL a transaction-scoped advisory lock per
corp serializes the writers of one corp until they commit, so a reader that has seen id ``n``
of a corp can never later see a committed id ``< n`` of that corp (a plain sequence could
commit out of order). SQLite already serializes writers (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers.models import CustomerChange
from siyu.db.base import utcnow

_TABLE = cast(Table, CustomerChange.__table__)
LOCK_CLASS = 0x5E6  # first key of the advisory lock pair: "segment changes"


async def record(session: AsyncSession, corp_id: int, customer_ids: Iterable[int]) -> None:
    """Log that these customers changed (no-op for none)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:k, :corp)"), {"k": LOCK_CLASS, "corp": corp_id}
        )
    # Core insert of plain rows (the ORM bulk path costs more than the insert itself here:
    # a full sync logs every customer).
    now = utcnow()
    await session.execute(
        insert(_TABLE), [{"corp_id": corp_id, "customer_id": cid, "created_at": now} for cid in ids]
    )


async def last_id(session: AsyncSession, corp_id: int) -> int:
    stmt = select(func.max(CustomerChange.id)).where(CustomerChange.corp_id == corp_id)
    return int(await session.scalar(stmt) or 0)


async def after(
    session: AsyncSession, corp_id: int, last: int, *, limit: int
) -> list[tuple[int, int]]:
    """(change id, customer id) of the corp after ``last``, in order, at most ``limit``."""
    rows = await session.execute(
        select(CustomerChange.id, CustomerChange.customer_id)
        .where(CustomerChange.corp_id == corp_id, CustomerChange.id > last)
        .order_by(CustomerChange.id)
        .limit(limit)
    )
    return [(int(i), int(c)) for i, c in rows.all()]


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Delete changes logged before ``before`` (every live index has read them: an index idle
    for more than half the retention is rebuilt instead of caught up)."""
    result = await session.execute(delete(CustomerChange).where(CustomerChange.created_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
