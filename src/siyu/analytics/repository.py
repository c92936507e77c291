"""Every analytics query (follow relations, customers, timeline), optionally within a scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers.models import Customer, FollowRelation, TimelineEvent
from siyu.db.repository import scoped
from siyu.employees import service as employees


def _scope(stmt: Any, visible: frozenset[str] | None) -> Any:
    return stmt if visible is None else stmt.where(FollowRelation.userid.in_(sorted(visible)))


async def added_times(
    session: AsyncSession,
    corp_id: int,
    start: datetime,
    end: datetime,
    visible: frozenset[str] | None,
) -> list[datetime]:
    stmt = scoped(FollowRelation, corp_id, FollowRelation.added_at).where(
        FollowRelation.added_at >= start, FollowRelation.added_at < end
    )
    return [t for t in (await session.scalars(_scope(stmt, visible))).all() if t is not None]


async def lost_times(
    session: AsyncSession,
    corp_id: int,
    start: datetime,
    end: datetime,
    visible: frozenset[str] | None,
) -> list[datetime]:
    stmt = scoped(FollowRelation, corp_id, FollowRelation.deleted_at).where(
        FollowRelation.deleted_at >= start, FollowRelation.deleted_at < end
    )
    return [t for t in (await session.scalars(_scope(stmt, visible))).all() if t is not None]


async def total_customers(
    session: AsyncSession, corp_id: int, visible: frozenset[str] | None
) -> int:
    stmt = scoped(FollowRelation, corp_id, func.count(distinct(FollowRelation.customer_id))).where(
        FollowRelation.deleted_at.is_(None)
    )
    return int(await session.scalar(_scope(stmt, visible)) or 0)


async def active_customers(
    session: AsyncSession,
    corp_id: int,
    start: datetime,
    end: datetime,
    visible: frozenset[str] | None,
) -> int:
    """Live customers with any timeline activity in the range."""
    stmt = (
        select(func.count(distinct(TimelineEvent.customer_id)))
        .join(Customer, Customer.id == TimelineEvent.customer_id)
        .where(
            TimelineEvent.corp_id == corp_id,
            TimelineEvent.occurred_at >= start,
            TimelineEvent.occurred_at < end,
            Customer.deleted_at.is_(None),
        )
    )
    if visible is not None:
        stmt = stmt.where(TimelineEvent.userid.in_(sorted(visible)))
    return int(await session.scalar(stmt) or 0)


async def top_by(
    session: AsyncSession,
    corp_id: int,
    column: Any,
    start: datetime,
    end: datetime,
    visible: frozenset[str] | None,
    limit: int,
) -> list[tuple[str, int]]:
    n = func.count().label("n")
    stmt = (
        scoped(FollowRelation, corp_id, column, n)
        .where(FollowRelation.added_at >= start, FollowRelation.added_at < end, column != "")
        .group_by(column)
        .order_by(n.desc(), column)
        .limit(limit)
    )
    return [(str(k), int(c)) for k, c in (await session.execute(_scope(stmt, visible))).all()]


async def employee_names(session: AsyncSession, corp_id: int, userids: list[str]) -> dict[str, str]:
    """userid → display name (department beside a shared name)."""
    return await employees.display_names(session, corp_id, userids)
