"""Staff rotation and the auto-accept window: keep each contact way in line with the plan.

The members a code should have *now* are its employees who are on schedule (day and hours,
corp local time) and under their daily cap; when nobody is, its backups; when it has no
backups, all its employees (a QR code must always land somewhere). ``skip_verify`` is on only
inside the accept window. :func:`reconcile` pushes the difference to WeCom and is called by the
scheduled job, right after an add through a capped code, and on every edit.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.models import ChannelCode, ChannelDailyStat
from siyu.corps.models import Corp
from siyu.wecom import acquisition_api as api
from siyu.wecom.client import WeComClient


async def corp_tz(session: AsyncSession, corp_id: int) -> ZoneInfo:
    name = await session.scalar(select(Corp.timezone).where(Corp.id == corp_id))
    return ZoneInfo(name or "Asia/Shanghai")


def _t(hhmm: str) -> time | None:
    if hhmm == "24:00":
        return None
    h, m = hhmm.split(":")
    return time(int(h), int(m))


def in_window(start: str, end: str, local: datetime) -> bool:
    """``start`` ≤ local time < ``end``; a window whose end is before its start wraps midnight."""
    s, e, now = _t(start) or time(0), _t(end), local.time()
    if e is None:
        return now >= s
    if s <= e:
        return s <= now < e
    return now >= s or now < e


async def adds_today(
    session: AsyncSession, corp_id: int, channel_id: int, *, now: datetime, tz: ZoneInfo
) -> dict[str, int]:
    day = now.astimezone(tz).date()
    rows = await session.execute(
        select(ChannelDailyStat.userid, func.sum(ChannelDailyStat.adds))
        .where(
            ChannelDailyStat.corp_id == corp_id,
            ChannelDailyStat.channel_id == channel_id,
            ChannelDailyStat.day == day,
        )
        .group_by(ChannelDailyStat.userid)
    )
    return {u: int(n or 0) for u, n in rows.all()}


def _duty(
    c: ChannelCode, local: datetime, today: dict[str, int]
) -> tuple[list[str], dict[str, str]]:
    rules = {r["userid"]: r for r in c.staff}
    on, off = [], {}
    for u in c.userids:
        rule: dict[str, Any] | None = rules.get(u)
        if rule is None:
            on.append(u)
            continue
        if local.isoweekday() not in rule.get("days", [1, 2, 3, 4, 5, 6, 7]):
            off[u] = "not a working day"
        elif not in_window(rule.get("start", "00:00"), rule.get("end", "24:00"), local):
            off[u] = "outside working hours"
        elif rule.get("daily_cap") and today.get(u, 0) >= int(rule["daily_cap"]):
            off[u] = f"daily cap of {rule['daily_cap']} reached"
        else:
            on.append(u)
    return on, off


async def desired_members(
    session: AsyncSession, corp_id: int, c: ChannelCode, *, now: datetime, tz: ZoneInfo
) -> list[str]:
    if not c.staff and not c.backups:
        return list(c.userids)
    today = await adds_today(session, corp_id, c.id, now=now, tz=tz) if c.id else {}
    on, _ = _duty(c, now.astimezone(tz), today)
    return on or list(c.backups) or list(c.userids)


def desired_skip_verify(c: ChannelCode, *, now: datetime, tz: ZoneInfo) -> bool:
    if not c.accept_window:
        return c.skip_verify
    w = c.accept_window
    return in_window(w["start"], w["end"], now.astimezone(tz))


async def duty(
    session: AsyncSession, corp_id: int, c: ChannelCode, *, now: datetime
) -> dict[str, Any]:
    """Who is on duty now, who is off and why, and today's adds per employee."""
    tz = await corp_tz(session, corp_id)
    today = await adds_today(session, corp_id, c.id, now=now, tz=tz)
    on, off = _duty(c, now.astimezone(tz), today)
    if not on:
        on = list(c.backups) or list(c.userids)
    return {
        "channel_id": c.id,
        "on_duty": on,
        "off_duty": [{"userid": u, "reason": r} for u, r in off.items()],
        "members": list(c.members),
        "skip_verify": c.applied_skip_verify,
        "adds_today": today,
    }


async def reconcile(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    c: ChannelCode,
    *,
    now: datetime,
    force: bool = False,
) -> bool:
    """Update the contact way when its members or skip_verify differ from the plan."""
    if not c.config_id or c.deleted_at is not None:
        return False
    tz = await corp_tz(session, corp_id)
    members = await desired_members(session, corp_id, c, now=now, tz=tz)
    skip = desired_skip_verify(c, now=now, tz=tz)
    if not force and members == list(c.members) and skip == c.applied_skip_verify:
        return False
    await api.update_contact_way(
        client,
        c.config_id,
        user=members,
        party=list(c.dept_ids),
        skip_verify=skip,
        remark=c.name[:30],
    )
    c.members, c.applied_skip_verify = members, skip
    return True
