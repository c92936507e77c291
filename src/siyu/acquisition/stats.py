"""Channel statistics from the daily roll-up (``channel_daily_stats``).

Adds and losses update the roll-up in the same transaction as the attribution fact
(``channel_adds``), with an atomic ``INSERT … ON CONFLICT DO UPDATE SET n = n + 1`` on both
SQLite and PostgreSQL. Queries then read at most channels × employees × days rows instead of
every add, which keeps the stats endpoint fast at millions of events (benchmarks/channel_stats).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import ChannelAdd, ChannelCode, ChannelDailyStat, ChannelDayStat
from siyu.acquisition.schemas import StatRow, StatsOut, TrendPoint
from siyu.core.errors import InvalidInput
from siyu.core.export import Time
from siyu.employees import service as employees

By = Literal["channel", "employee", "day"]
MAX_DAYS = 366
_PK = ["corp_id", "channel_id", "day", "userid"]
_COUNTERS = ("adds", "lost", "cohort_lost", "lost_1d", "lost_7d")


async def bump(
    session: AsyncSession, corp_id: int, channel_id: int, day: date, userid: str, **incr: int
) -> None:
    """Add ``incr`` to the counters of one roll-up row in both roll-ups (created on first use)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values: dict[str, Any] = {k: 0 for k in _COUNTERS}
    values.update(incr)
    keys: dict[str, Any] = {"corp_id": corp_id, "channel_id": channel_id, "day": day}
    for model, pk in ((ChannelDailyStat, _PK), (ChannelDayStat, _PK[:3])):
        stmt = insert(model).values(
            **keys, **values, **({"userid": userid} if "userid" in pk else {})
        )
        table = model.__table__
        stmt = stmt.on_conflict_do_update(
            index_elements=pk,
            set_={k: table.c[k] + stmt.excluded[k] for k in incr},
        )
        await session.execute(stmt)


async def record_add(session: AsyncSession, corp_id: int, add: ChannelAdd) -> None:
    await bump(session, corp_id, add.channel_id, add.day, add.userid, adds=1)


async def record_loss(
    session: AsyncSession, corp_id: int, add: ChannelAdd, *, at: datetime, tz: ZoneInfo
) -> None:
    """A loss counts on its own day (``lost``) and against the add's day (cohort counters)."""
    await bump(session, corp_id, add.channel_id, at.astimezone(tz).date(), add.userid, lost=1)
    held = at - add.added_at
    await bump(
        session,
        corp_id,
        add.channel_id,
        add.day,
        add.userid,
        cohort_lost=1,
        lost_1d=int(held <= timedelta(days=1)),
        lost_7d=int(held <= timedelta(days=7)),
    )


def _row(key: str, label: str, adds: int, lost: int, cohort: int, l1: int, l7: int) -> StatRow:
    return StatRow(
        key=key,
        label=label,
        adds=adds,
        lost=lost,
        net=adds - lost,
        lost_1d=l1,
        lost_7d=l7,
        retained=adds - cohort,
    )


def _sums(t: Any = ChannelDailyStat) -> list[Any]:
    return [
        func.coalesce(func.sum(t.adds), 0),
        func.coalesce(func.sum(t.lost), 0),
        func.coalesce(func.sum(t.cohort_lost), 0),
        func.coalesce(func.sum(t.lost_1d), 0),
        func.coalesce(func.sum(t.lost_7d), 0),
    ]


def _where(
    t: Any,
    corp_id: int,
    start: date,
    end: date,
    channel_ids: Sequence[int] | None,
    userid: str | None,
    group_name: str | None,
) -> list[Any]:
    conds: list[Any] = [t.corp_id == corp_id, t.day >= start, t.day <= end]
    if channel_ids:
        conds.append(t.channel_id.in_(list(channel_ids)))
    if userid:
        conds.append(t.userid == userid)
    if group_name:
        conds.append(
            t.channel_id.in_(
                select(ChannelCode.id).where(
                    ChannelCode.corp_id == corp_id, ChannelCode.group_name == group_name
                )
            )
        )
    return conds


def check_range(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise InvalidInput("start must not be after end")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"the date range may span at most {MAX_DAYS} days")
    return start, end


async def _labels(session: AsyncSession, corp_id: int, by: By, keys: list[Any]) -> dict[Any, str]:
    if by == "channel" and keys:
        rows = await session.execute(
            select(ChannelCode.id, ChannelCode.name).where(
                ChannelCode.corp_id == corp_id, ChannelCode.id.in_(keys)
            )
        )
        return dict(rows.all())
    if by == "employee" and keys:
        return await employees.display_names(session, corp_id, keys)
    return {}


async def stats(
    session: AsyncSession,
    corp_id: int,
    *,
    start: date,
    end: date,
    by: By = "channel",
    channel_ids: Sequence[int] | None = None,
    userid: str | None = None,
    group_name: str | None = None,
    visible: frozenset[str] | None = None,
) -> StatsOut:
    """Rows per channel / employee / day, totals, and the daily trend over [start, end];
    within a data scope (``visible``), the adds and losses of its employees only.

    Without an employee dimension the coarser per-channel roll-up is read (10× fewer rows).
    """
    per_employee = by == "employee" or userid or visible is not None
    t: Any = ChannelDailyStat if per_employee else ChannelDayStat
    key = getattr(t, {"channel": "channel_id", "employee": "userid", "day": "day"}[by])
    conds = _where(t, corp_id, start, end, channel_ids, userid, group_name)
    if visible is not None:
        conds.append(t.userid.in_(sorted(visible)))
    grouped = (await session.execute(select(key, *_sums(t)).where(*conds).group_by(key))).all()
    labels = await _labels(session, corp_id, by, [r[0] for r in grouped])
    rows = [_row(str(k), labels.get(k, str(k)), *(int(v) for v in vals)) for k, *vals in grouped]
    rows.sort(key=lambda r: (r.key if by == "day" else -r.adds, r.key))
    total = [sum(getattr(r, f) for r in rows) for f in ("adds", "lost")]
    cohort = sum(r.adds - r.retained for r in rows)
    totals = _row(
        "total",
        "合计",
        total[0],
        total[1],
        cohort,
        sum(r.lost_1d for r in rows),
        sum(r.lost_7d for r in rows),
    )
    by_day = {
        d: (int(a), int(lo))
        for d, a, lo in (
            await session.execute(
                select(t.day, func.sum(t.adds), func.sum(t.lost)).where(*conds).group_by(t.day)
            )
        ).all()
    }
    trend = []
    day = start
    while day <= end:
        a, lo = by_day.get(day, (0, 0))
        trend.append(TrendPoint(day=day, adds=a, lost=lo, net=a - lo))
        day += timedelta(days=1)
    return StatsOut(start=start, end=end, by=by, rows=rows, totals=totals, trend=trend)


async def detail_rows(
    session: AsyncSession,
    corp_id: int,
    *,
    start: date,
    end: date,
    channel_ids: Sequence[int] | None = None,
    userid: str | None = None,
    group_name: str | None = None,
    visible: frozenset[str] | None = None,
) -> list[list[Any]]:
    """The per channel × employee × day table (export); within a data scope, its employees'
    rows only."""
    t = ChannelDailyStat
    conds = _where(t, corp_id, start, end, channel_ids, userid, group_name)
    if visible is not None:
        conds.append(t.userid.in_(sorted(visible)))
    rows = (
        await session.execute(
            select(t.channel_id, t.userid, t.day, *_sums())
            .where(*conds)
            .group_by(t.channel_id, t.userid, t.day)
            .order_by(t.day, t.channel_id, t.userid)
        )
    ).all()
    chans = await _labels(session, corp_id, "channel", list({r[0] for r in rows}))
    emps = await _labels(session, corp_id, "employee", list({r[1] for r in rows}))
    out = []
    for cid, uid, day, adds, lost, cohort, l1, l7 in rows:
        out.append(
            [
                chans.get(cid, str(cid)),
                emps.get(uid, uid),
                uid,
                day,
                int(adds),
                int(lost),
                int(adds) - int(lost),
                int(l1),
                int(l7),
                int(adds) - int(cohort),
            ]
        )
    return out


EXPORT_HEADERS = [
    "渠道",
    "员工",
    "员工ID",
    Time("日期"),
    "新增",
    "流失",
    "净增",
    "1日内流失",
    "7日内流失",
    "留存",
]


async def rebuild(session: AsyncSession, corp_id: int, *, tz: ZoneInfo) -> int:
    """Recompute the corp's roll-up from the attribution facts (repair, backfill, benchmarks).

    Returns the number of roll-up rows written.
    """
    from sqlalchemy import delete, insert

    acc: dict[tuple[int, date, str], list[int]] = {}

    def at(key: tuple[int, date, str]) -> list[int]:
        return acc.setdefault(key, [0, 0, 0, 0, 0])

    stmt = (
        select(
            ChannelAdd.channel_id,
            ChannelAdd.userid,
            ChannelAdd.day,
            ChannelAdd.added_at,
            ChannelAdd.deleted_at,
        )
        .where(ChannelAdd.corp_id == corp_id)
        .execution_options(yield_per=20_000)
    )
    async for cid, uid, day, added, deleted in await session.stream(stmt):
        row = at((cid, day, uid))
        row[0] += 1
        if deleted is not None:
            at((cid, deleted.astimezone(tz).date(), uid))[1] += 1
            held = deleted - added
            row[2] += 1
            row[3] += int(held <= timedelta(days=1))
            row[4] += int(held <= timedelta(days=7))
    await session.execute(delete(ChannelDailyStat).where(ChannelDailyStat.corp_id == corp_id))
    await session.execute(delete(ChannelDayStat).where(ChannelDayStat.corp_id == corp_id))
    coarse: dict[tuple[int, date], list[int]] = {}
    for (c, d, _u), v in acc.items():
        sums = coarse.setdefault((c, d), [0, 0, 0, 0, 0])
        for i, n in enumerate(v):
            sums[i] += n
    day_rows = [
        {"corp_id": corp_id, "channel_id": c, "day": d, **dict(zip(_COUNTERS, v, strict=True))}
        for (c, d), v in coarse.items()
    ]
    for i in range(0, len(day_rows), 5000):
        await session.execute(insert(ChannelDayStat), day_rows[i : i + 5000])
    rows = [
        {
            "corp_id": corp_id,
            "channel_id": c,
            "day": d,
            "userid": u,
            **dict(zip(_COUNTERS, v, strict=True)),
        }
        for (c, d, u), v in acc.items()
    ]
    for i in range(0, len(rows), 5000):
        await session.execute(insert(ChannelDailyStat), rows[i : i + 5000])
    return len(rows)
