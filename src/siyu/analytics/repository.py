"""Every analytics query (follow relations, customers, timeline), optionally within a scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import bindparam, case, distinct, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers.models import Customer, FollowRelation, TimelineEvent
from siyu.db.base import UTCDateTime
from siyu.db.repository import scoped
from siyu.employees import service as employees

#: the follow relation columns ranked (``top``)
RankColumn = Literal["userid", "state"]


def _users(visible: frozenset[str] | None) -> tuple[str, list[Any], dict[str, Any]]:
    """The ``AND f.userid IN (...)`` of a data scope (nothing for the whole corp)."""
    if visible is None:
        return "", [], {}
    users: Any = bindparam("users", expanding=True)
    return " AND f.userid IN :users", [users], {"users": sorted(visible)}


async def per_day(
    session: AsyncSession,
    corp_id: int,
    bounds: Sequence[datetime],
    visible: frozenset[str] | None,
) -> tuple[list[int], list[int]]:
    """How many follow relations were added, and how many ended, in each ``[bounds[i],
    bounds[i + 1])`` (the corp's days): two counts over ranges of an index per day (adds:
    ``(corp_id, added_at)``, in a scope ``(corp_id, userid, added_at)``; ends: the partial index
    of ended relations), so the database reads index entries, never a row per relation."""
    days = len(bounds) - 1
    rows = ", ".join(f"({i}, :lo{i}, :hi{i})" for i in range(days))
    binds: list[Any] = []
    params: dict[str, Any] = {"corp": corp_id}
    for i in range(days):
        binds += [bindparam(f"lo{i}", type_=UTCDateTime), bindparam(f"hi{i}", type_=UTCDateTime)]
        params[f"lo{i}"], params[f"hi{i}"] = bounds[i], bounds[i + 1]
    scope, scope_binds, scope_params = _users(visible)
    count = (
        "(SELECT count(*) FROM follow_relations f WHERE f.corp_id = :corp"
        " AND f.{c} >= b.lo AND f.{c} < b.hi" + scope + ")"
    )
    sql = text(
        f"WITH b(i, lo, hi) AS (VALUES {rows}) SELECT b.i, {count.format(c='added_at')},"
        f" {count.format(c='deleted_at')} FROM b ORDER BY b.i"
    ).bindparams(*binds, *scope_binds)
    found = {i: (n, g) for i, n, g in (await session.execute(sql, {**params, **scope_params}))}
    return (
        [int(found.get(i, (0, 0))[0]) for i in range(days)],
        [int(found.get(i, (0, 0))[1]) for i in range(days)],
    )


async def top(
    session: AsyncSession,
    corp_id: int,
    column: RankColumn,
    start: datetime,
    end: datetime,
    visible: frozenset[str] | None,
    limit: int,
) -> list[tuple[str, int]]:
    """The ``limit`` employees (or channel states) with the most follow relations added in
    ``[start, end)``. For the whole corp: the distinct keys by skipping through the index
    ``(corp_id, column, added_at)`` (one seek each), then one range count per key; in a scope,
    the scope's adds through ``(corp_id, userid, added_at)``."""
    params: dict[str, Any] = {"corp": corp_id, "lo": start, "hi": end}
    binds: list[Any] = [bindparam("lo", type_=UTCDateTime), bindparam("hi", type_=UTCDateTime)]
    if visible is None:
        sql = text(
            f"WITH RECURSIVE k(v) AS ("
            f" SELECT min({column}) FROM follow_relations WHERE corp_id = :corp AND {column} > ''"
            f" UNION ALL SELECT (SELECT min(f.{column}) FROM follow_relations f"
            f" WHERE f.corp_id = :corp AND f.{column} > k.v) FROM k WHERE k.v IS NOT NULL)"
            f" SELECT k.v, (SELECT count(*) FROM follow_relations f WHERE f.corp_id = :corp"
            f" AND f.{column} = k.v AND f.added_at >= :lo AND f.added_at < :hi) FROM k"
            " WHERE k.v IS NOT NULL"
        ).bindparams(*binds)
    else:
        scope, scope_binds, scope_params = _users(visible)
        params.update(scope_params)
        sql = text(
            f"SELECT f.{column}, count(*) FROM follow_relations f WHERE f.corp_id = :corp"
            f" AND f.added_at >= :lo AND f.added_at < :hi AND f.{column} != ''{scope}"
            f" GROUP BY f.{column}"
        ).bindparams(*binds, *scope_binds)
    counts = [(str(k), int(n)) for k, n in (await session.execute(sql, params)).all() if n]
    return sorted(counts, key=lambda kn: (-kn[1], kn[0]))[:limit]


def _in_scope(corp_id: int, visible: frozenset[str]) -> Any:
    """Customers with a live follow relation with one of ``visible`` (a data scope)."""
    return Customer.id.in_(
        select(FollowRelation.customer_id).where(
            FollowRelation.corp_id == corp_id,
            FollowRelation.userid.in_(sorted(visible)),
            FollowRelation.deleted_at.is_(None),
        )
    )


async def live_and_active(
    session: AsyncSession, corp_id: int, since: datetime, visible: frozenset[str]
) -> tuple[int, int]:
    """In a data scope: (its live customers, those with a timeline entry at or after
    ``since``). A customer is live until its last follow relation ends (``deleted_at``); its
    newest timeline entry is ``last_active_at``."""
    active = func.count(case((Customer.last_active_at >= since, 1)))
    stmt = (
        scoped(Customer, corp_id, func.count(), active)
        .where(Customer.deleted_at.is_(None))
        .where(_in_scope(corp_id, visible))
    )
    total, n = (await session.execute(stmt)).one()
    return int(total), int(n)


async def live_active_since(
    session: AsyncSession, corp_id: int, since: datetime, *, live: int, count_idle: bool
) -> int:
    """How many of the corp's ``live`` customers have a timeline entry at or after ``since``:
    a range of the partial index of live customers ``(corp_id, last_active_at)``, counted on
    the side expected smaller: the active ones, or (``count_idle``) the idle ones subtracted
    from ``live``."""
    stmt = scoped(Customer, corp_id, func.count()).where(Customer.deleted_at.is_(None))
    if not count_idle:
        return int(await session.scalar(stmt.where(Customer.last_active_at >= since)) or 0)
    before = await session.scalar(stmt.where(Customer.last_active_at < since))
    never = await session.scalar(stmt.where(Customer.last_active_at.is_(None)))
    return live - int(before or 0) - int(never or 0)


async def active_between(
    session: AsyncSession,
    corp_id: int,
    start: datetime,
    end: datetime,
    visible: frozenset[str] | None,
) -> int:
    """Live customers (in the scope) with a timeline entry in ``[start, end)``: read from the
    timeline, for a range that ended before now (``live_and_active`` answers the others)."""
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
        stmt = stmt.where(_in_scope(corp_id, visible))
    return int(await session.scalar(stmt) or 0)


async def employee_names(session: AsyncSession, corp_id: int, userids: list[str]) -> dict[str, str]:
    """userid → display name (department beside a shared name)."""
    return await employees.display_names(session, corp_id, userids)
