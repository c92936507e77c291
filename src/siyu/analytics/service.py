"""The dashboard: growth per day in the corp's time zone, totals, top channels and employees."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.analytics import repository as repo
from siyu.analytics.schemas import Dashboard, DayPoint, Ranked
from siyu.core.errors import InvalidInput
from siyu.corps.models import Corp
from siyu.customers import naming
from siyu.db.base import utcnow
from siyu.segments import service as segments

MAX_DAYS = 366
#: ranges that began longer ago count their idle customers instead of their active ones
IDLE_SIDE = timedelta(days=90)


async def dashboard(
    session: AsyncSession,
    corp: Corp,
    *,
    start: date | None = None,
    end: date | None = None,
    visible: frozenset[str] | None = None,
    top: int = 10,
    today: date | None = None,
    now: datetime | None = None,
) -> Dashboard:
    """Aggregates over ``start``..``end`` (inclusive local days; default the last 30 days).

    New = follow relations added on the day, lost = relations ended on the day; a customer
    adding two employees counts twice, as WeCom's own statistics do. Total: live customers
    (followed by an employee of the scope); active: those of them with a timeline entry in the
    range. Every figure is counted by the database on an index (``analytics.repository``).
    """
    tz = ZoneInfo(corp.timezone or "Asia/Shanghai")
    now = now or utcnow()
    today = today or now.astimezone(tz).date()
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise InvalidInput("the start date is after the end date")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"choose at most {MAX_DAYS} days")
    # the corp's days as UTC instants: [bounds[i], bounds[i + 1]) is day start + i
    n_days = (end - start).days + 1
    bounds = [
        datetime.combine(start + timedelta(days=i), time.min, tz).astimezone(UTC)
        for i in range(n_days + 1)
    ]
    lo, hi = bounds[0], bounds[-1]
    new, lost = await repo.per_day(session, corp.id, bounds, visible)
    days = [
        DayPoint(day=start + timedelta(days=i), new=n, lost=g, net=n - g)
        for i, (n, g) in enumerate(zip(new, lost, strict=True))
    ]
    channels = await repo.top(session, corp.id, "state", lo, hi, visible, top)
    employees = await repo.top(session, corp.id, "userid", lo, hi, visible, top)
    names = await repo.employee_names(session, corp.id, [u for u, _ in employees])
    states = await naming.state_names(session, corp.id, [k for k, _ in channels])
    n_new, n_lost = sum(new), sum(lost)
    if (
        visible is None
    ):  # the live customers are the segment index's; the active ones an index range
        total = await segments.live_count(session, corp)
        idle = now - lo > IDLE_SIDE  # a long range: most customers are active, count the others
        active = await repo.live_active_since(session, corp.id, lo, live=total, count_idle=idle)
    else:
        total, active = await repo.live_and_active(session, corp.id, lo, visible)
    if hi <= now:  # a range that has ended: its activity is read from the timeline
        active = await repo.active_between(session, corp.id, lo, hi, visible)
    return Dashboard(
        timezone=str(tz),
        start=start,
        end=end,
        total_customers=total,
        new_customers=n_new,
        lost_customers=n_lost,
        net_customers=n_new - n_lost,
        active_customers=active,
        days=days,
        top_channels=[Ranked(key=k, name=states.get(k, k), count=c) for k, c in channels],
        top_employees=[Ranked(key=u, name=names.get(u, u), count=c) for u, c in employees],
    )
