"""Who sends which phrase: top phrases and uses per employee over corp calendar days."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import InvalidInput
from siyu.core.times import zone
from siyu.corps.models import Corp
from siyu.employees import service as employees
from siyu.phrases import repository as repo
from siyu.phrases.schemas import PhraseEmployeeUses, PhraseStatsOut, TopPhrase

MAX_DAYS = 366
DEFAULT_DAYS = 30
NO_EMPLOYEE = "（未关联员工）"


def window(corp: Corp, since: date | None, until: date | None) -> tuple[datetime, datetime]:
    """[first day's midnight, the day after the last day's midnight) on the corp's clock, in
    UTC; by default the last 30 days up to today."""
    tz = zone(corp.timezone)
    today = datetime.now(tz).date()
    until = until or today
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise InvalidInput("the first day comes after the last day")
    if (until - since).days >= MAX_DAYS:
        raise InvalidInput(f"a range covers at most {MAX_DAYS} days")
    start = datetime.combine(since, time(), tz).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


async def stats(
    s: AsyncSession, corp: Corp, *, since: date | None, until: date | None, top: int = 20
) -> PhraseStatsOut:
    start, end = window(corp, since, until)
    folders = {f.id: f.name for f in await repo.folders(s, corp.id)}
    tops = [
        TopPhrase(
            id=p.id,
            title=p.title,
            kind=p.kind,
            scope=p.scope,
            folder=folders.get(p.folder_id or 0, ""),
            uses=n,
        )
        for p, n in await repo.top_phrases(s, corp.id, start, end, top)
    ]
    per = await repo.uses_per_employee(s, corp.id, start, end)
    names = await employees.display_names(s, corp.id, [u for u, _, _ in per])
    return PhraseStatsOut(
        since=start,
        until=end,
        timezone=zone(corp.timezone).key,
        total=await repo.total_uses(s, corp.id, start, end),
        top=tops,
        employees=[
            PhraseEmployeeUses(
                userid=u, name=names.get(u, u) if u else NO_EMPLOYEE, uses=n, phrases=k
            )
            for u, n, k in per
        ],
    )


TOP_HEADERS = ["话术", "类型", "范围", "文件夹", "使用次数"]
EMPLOYEE_HEADERS = ["员工", "使用次数", "使用话术数"]
SCOPES = {"corp": "企业话术", "personal": "个人话术"}
KINDS = {"text": "文本", "image": "图片", "link": "链接", "miniprogram": "小程序"}


async def export_rows(
    s: AsyncSession, corp: Corp, view: str, *, since: date | None, until: date | None
) -> AsyncIterator[Sequence[Any]]:
    result = await stats(s, corp, since=since, until=until, top=1000)
    if view == "employees":
        for e in result.employees:
            yield [e.name, e.uses, e.phrases]
        return
    for t in result.top:
        yield [t.title, KINDS.get(t.kind, t.kind), SCOPES.get(t.scope, t.scope), t.folder, t.uses]
