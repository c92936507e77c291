"""Sign-in throttling: failed password sign-ins, counted per username and per client IP from
the audit log (the database: every API process of a deployment sees the same counts).

After :data:`Settings.login_max_failures` failures for a username (since its last successful
sign-in) or :data:`Settings.login_max_failures_per_ip` from one IP within :data:`WINDOW`,
sign-ins are refused with 429 until ``LOCK × 2^(failures − limit)`` after the last failure
(capped at :data:`WINDOW`): each further failure doubles the wait. Refused attempts are not
checked (no argon2 work) and do not count.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.accounts import repository as repo
from siyu.core.errors import Throttled
from siyu.core.settings import Settings
from siyu.db.base import utcnow

WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=1)


def _wait(count: int, last: datetime | None, limit: int, now: datetime) -> float:
    if count < limit or last is None:
        return 0.0
    lock = min(LOCK * 2 ** (count - limit), WINDOW)
    return max(0.0, (last + lock - now).total_seconds())


async def check(
    session: AsyncSession,
    corp_id: int,
    *,
    username: str,
    ip: str,
    last_success: datetime | None,
    settings: Settings,
) -> None:
    """Raise :class:`Throttled` when this username or IP must wait before trying again."""
    now = utcnow()
    since = now - WINDOW
    if last_success is not None and last_success > since:
        since = last_success
    count, last = await repo.failed_logins(session, corp_id, since=since, username=username)
    wait = _wait(count, last, settings.login_max_failures, now)
    if ip:
        count, last = await repo.failed_logins(session, corp_id, since=now - WINDOW, ip=ip)
        wait = max(wait, _wait(count, last, settings.login_max_failures_per_ip, now))
    if wait > 0:
        seconds = math.ceil(wait)
        raise Throttled(
            f"too many failed sign-ins; try again in {seconds} seconds", retry_after=seconds
        )
