"""Times at Siyu's edges: what the API accepts, and the corp's zone that exports write in.

Siyu stores aware UTC (``siyu.db.base.UTCDateTime`` refuses a naive value), so every time the
API returns is ISO-8601 with its offset (``...Z``). A time the API is given must say its zone
too: a bare ``2026-05-01T20:00:00`` could be Shanghai or UTC, eight hours apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

DEFAULT_ZONE = "Asia/Shanghai"


def _zoned(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time needs its zone, e.g. 2026-05-01T20:00:00+08:00 or ...Z")
    return value


#: a datetime the API accepts (query or body): naive values are a 422, not a guess
Zoned = Annotated[datetime, AfterValidator(_zoned)]


def zone(name: str | None) -> ZoneInfo:
    """A corp's time zone by its IANA name (the default when none is set)."""
    return ZoneInfo(name or DEFAULT_ZONE)


def local(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` on the corp's clock (a naive value is taken as UTC, the way Siyu stores it)."""
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(tz)
