"""When a step falls due, in the corp's time zone (pure functions, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def due_at(trigger_at: datetime, *, day: int, minutes: int, at_time: str, tz: ZoneInfo) -> datetime:
    """``day`` local days after the trigger, then ``minutes`` after the trigger's time of day,
    or at ``at_time`` (HH:MM) on that local day. A time of day already past on day 0 means
    now: the step is due at the trigger (never skipped)."""
    local = trigger_at.astimezone(tz)
    if not at_time:
        return (local + timedelta(days=day, minutes=minutes)).astimezone(UTC)
    h, m = (int(x) for x in at_time.split(":"))
    target_day = local.date() + timedelta(days=day)
    at = datetime.combine(target_day, time(h, m), tzinfo=tz)
    return max(at, local).astimezone(UTC)


def end_of_local_day(moment: datetime, tz: ZoneInfo) -> datetime:
    """The next local midnight after ``moment``: a to-do not done by then is overdue."""
    local = moment.astimezone(tz)
    nxt = datetime.combine(local.date() + timedelta(days=1), time(0, 0), tzinfo=tz)
    return nxt.astimezone(UTC)


def start_of_local_day(moment: datetime, tz: ZoneInfo) -> datetime:
    local = moment.astimezone(tz)
    return datetime.combine(local.date(), time(0, 0), tzinfo=tz).astimezone(UTC)
