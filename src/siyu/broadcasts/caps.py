"""WeCom's per-customer cap on corp mass messages: the period and the cap of each rule.

The rule is a per-corp setting (WeCom changed it over time: 4 per natural month in older
documentation; as many as the days of the month, 7 per week or 1 per day in newer ones).
Periods are natural periods in the corp's time zone.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

RULES = ("off", "month4", "days_of_month", "week7", "day1")


def cap_for(rule: str, now: datetime, tz: str) -> tuple[datetime, int | None]:
    """(start of the current period in UTC, the cap); cap None when the rule is off."""
    local = now.astimezone(ZoneInfo(tz))
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if rule == "day1":
        return day.astimezone(UTC), 1
    if rule == "week7":
        return (day - timedelta(days=day.weekday())).astimezone(UTC), 7
    month = day.replace(day=1).astimezone(UTC)
    if rule == "month4":
        return month, 4
    if rule == "days_of_month":
        return month, calendar.monthrange(local.year, local.month)[1]
    return now, None
