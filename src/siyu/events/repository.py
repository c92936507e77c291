"""Queries over inbound events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.events.models import InboundEvent

_EVENTS = cast(Table, InboundEvent.__table__)  # Core: bulk statements without the ORM


async def insert_if_new(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Insert an event unless its (corp_id, event_key) exists; the new id or None."""
    dialect = session.get_bind().dialect.name
    ins = pg_insert(InboundEvent) if dialect == "postgresql" else sqlite_insert(InboundEvent)
    stmt = (
        ins.values(**values)
        .on_conflict_do_nothing(index_elements=["corp_id", "event_key"])
        .returning(InboundEvent.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_many_if_new(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> dict[tuple[int, str], int]:
    """Insert events in ONE statement, skipping (corp_id, event_key) pairs that exist.

    Returns the new ids by (corp_id, event_key); keys already stored (or repeated within
    ``rows``: the first one wins) get no new row.
    """
    if not rows:
        return {}
    dialect = session.get_bind().dialect.name
    table = _EVENTS
    ins = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    # one cached statement, executed for the list: SQLAlchemy's "insertmanyvalues" batches it
    # into multi-row INSERTs (a ``.values(rows)`` statement compiled anew for every batch)
    stmt = ins.on_conflict_do_nothing(index_elements=["corp_id", "event_key"]).returning(
        table.c.id, table.c.corp_id, table.c.event_key
    )
    result = await session.execute(stmt, rows)
    return {(int(c), str(k)): int(i) for i, c, k in result.all()}


async def rearm_if_processed(session: AsyncSession, corp_id: int, event_key: str) -> int | None:
    """Set a processed event back to pending; its id, or None if it is still pending."""
    row = await session.scalar(
        scoped(InboundEvent, corp_id).where(InboundEvent.event_key == event_key)
    )
    if row is None or row.status == "pending":
        return None
    row.status, row.attempts, row.error, row.received_at = "pending", 0, None, utcnow()
    return row.id


async def mark_done(session: AsyncSession, ids: list[int], *, now: datetime) -> None:
    """Mark pending events done (one UPDATE, counting the attempt)."""
    if not ids:
        return
    t = _EVENTS
    await session.execute(
        update(t)
        .where(t.c.id.in_(ids), t.c.status == "pending")
        .values(status="done", processed_at=now, error=None, attempts=t.c.attempts + 1)
    )


async def stale_pending(session: AsyncSession, *, before: datetime, limit: int = 500) -> list[int]:
    """Pending events received before ``before`` (their job may have been lost)."""
    rows = await session.scalars(
        select(InboundEvent.id)
        .where(InboundEvent.status == "pending", InboundEvent.received_at < before)
        .order_by(InboundEvent.id)
        .limit(limit)
    )
    return list(rows)


async def list_events(
    session: AsyncSession, corp_id: int, *, status: str | None, limit: int, before_id: int | None
) -> list[InboundEvent]:
    stmt = scoped(InboundEvent, corp_id).order_by(InboundEvent.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(InboundEvent.status == status)
    if before_id:
        stmt = stmt.where(InboundEvent.id < before_id)
    return list((await session.scalars(stmt)).all())


async def counts(session: AsyncSession, corp_id: int) -> dict[str, int]:
    rows = await session.execute(
        scoped(InboundEvent, corp_id, InboundEvent.status, func.count()).group_by(
            InboundEvent.status
        )
    )
    return {status: int(n) for status, n in rows.all()}
