"""The dashboard: growth per day in the corp's time zone, totals, top channels and employees."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.analytics import repository as repo
from siyu.analytics.schemas import Dashboard, DayPoint, Ranked
from siyu.core.errors import InvalidInput
from siyu.corps.models import Corp
from siyu.customers import naming
from siyu.customers.models import FollowRelation

MAX_DAYS = 366


async def dashboard(
    session: AsyncSession,
    corp: Corp,
    *,
    start: date | None = None,
    end: date | None = None,
    visible: frozenset[str] | None = None,
    top: int = 10,
    today: date | None = None,
) -> Dashboard:
    """Aggregates over ``start``..``end`` (inclusive local days; default the last 30 days).

    New = follow relations added on the day, lost = relations ended on the day; a customer
    adding two employees counts twice, as WeCom's own statistics do.
    """
    tz = ZoneInfo(corp.timezone or "Asia/Shanghai")
    today = today or datetime.now(tz).date()
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise InvalidInput("the start date is after the end date")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"choose at most {MAX_DAYS} days")
    lo = datetime.combine(start, time.min, tz).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, tz).astimezone(UTC)

    def local_day(t: datetime) -> date:
        return t.astimezone(tz).date()

    new = Counter(local_day(t) for t in await repo.added_times(session, corp.id, lo, hi, visible))
    lost = Counter(local_day(t) for t in await repo.lost_times(session, corp.id, lo, hi, visible))
    days = []
    d = start
    while d <= end:
        days.append(DayPoint(day=d, new=new[d], lost=lost[d], net=new[d] - lost[d]))
        d += timedelta(days=1)
    channels = await repo.top_by(session, corp.id, FollowRelation.state, lo, hi, visible, top)
    employees = await repo.top_by(session, corp.id, FollowRelation.userid, lo, hi, visible, top)
    names = await repo.employee_names(session, corp.id, [u for u, _ in employees])
    states = await naming.state_names(session, corp.id, [k for k, _ in channels])
    n_new, n_lost = sum(new.values()), sum(lost.values())
    return Dashboard(
        timezone=str(tz),
        start=start,
        end=end,
        total_customers=await repo.total_customers(session, corp.id, visible),
        new_customers=n_new,
        lost_customers=n_lost,
        net_customers=n_new - n_lost,
        active_customers=await repo.active_customers(session, corp.id, lo, hi, visible),
        days=days,
        top_channels=[Ranked(key=k, name=states.get(k, k), count=c) for k, c in channels],
        top_employees=[Ranked(key=u, name=names.get(u, u), count=c) for u, c in employees],
    )
