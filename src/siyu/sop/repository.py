"""Every SOP query that is shared between modules (scoped by corp)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.db.repository import scoped
from siyu.db.txmemo import TxMemo
from siyu.sop.models import SopRun, SopStep, SopTask, SopTemplate
from siyu.sop.schemas import StepStats, TemplateStats

#: in_use's answers per live transaction
_IN_USE: TxMemo[bool] = TxMemo()


async def in_use(session: AsyncSession, corp_id: int) -> bool:
    """Whether the corp has an enabled SOP or a running run. Without either, a customer or
    group event has nothing to start or stop. Asked once per transaction: a callback drain
    asks it for every event of its batch, and no drain enables a template."""

    async def ask() -> bool:
        enabled = scoped(SopTemplate, corp_id, SopTemplate.id).where(
            SopTemplate.enabled.is_(True), SopTemplate.deleted_at.is_(None)
        )
        running = scoped(SopRun, corp_id, SopRun.id).where(SopRun.status == "running")
        for stmt in (enabled, running):
            if await session.scalar(stmt.limit(1)) is not None:
                return True
        return False

    return await _IN_USE.get(session, corp_id, ask)


def forget_in_use(session: AsyncSession) -> None:
    """A template was enabled in this transaction: ask again."""
    _IN_USE.forget(session)


async def live_templates(
    session: AsyncSession, corp_id: int, *, enabled_only: bool = False
) -> list[SopTemplate]:
    stmt = scoped(SopTemplate, corp_id).where(SopTemplate.deleted_at.is_(None))
    if enabled_only:
        stmt = stmt.where(SopTemplate.enabled.is_(True))
    return list((await session.scalars(stmt.order_by(SopTemplate.id.desc()))).all())


async def template(session: AsyncSession, corp_id: int, template_id: int) -> SopTemplate | None:
    return await session.scalar(
        scoped(SopTemplate, corp_id).where(
            SopTemplate.id == template_id, SopTemplate.deleted_at.is_(None)
        )
    )


async def steps(
    session: AsyncSession, corp_id: int, template_id: int, version: int
) -> list[SopStep]:
    stmt = (
        scoped(SopStep, corp_id)
        .where(SopStep.template_id == template_id, SopStep.version == version)
        .order_by(SopStep.position)
    )
    return list((await session.scalars(stmt)).all())


async def run_stats(
    session: AsyncSession, corp_id: int, template_ids: Sequence[int], *, now: datetime
) -> dict[int, TemplateStats]:
    """Runs by status and tasks by status (open ones split into due / overdue) per template."""
    out: dict[int, TemplateStats] = defaultdict(TemplateStats)
    if not template_ids:
        return out
    runs = await session.execute(
        scoped(SopRun, corp_id, SopRun.template_id, SopRun.status, func.count())
        .where(SopRun.template_id.in_(template_ids))
        .group_by(SopRun.template_id, SopRun.status)
    )
    for tid, status, n in runs.all():
        if status in ("running", "completed", "stopped"):
            setattr(out[tid], status, int(n))
    overdue = case((SopTask.overdue_at < now, 1), else_=0)
    tasks = await session.execute(
        scoped(
            SopTask, corp_id, SopTask.template_id, SopTask.status, func.count(), func.sum(overdue)
        )
        .where(SopTask.template_id.in_(template_ids))
        .group_by(SopTask.template_id, SopTask.status)
    )
    for tid, status, n, late in tasks.all():
        s = out[tid]
        if status == "scheduled":
            s.scheduled = int(n)
        elif status == "open":
            s.due, s.overdue = int(n) - int(late or 0), int(late or 0)
        elif status in ("done", "skipped"):
            setattr(s, status, int(n))
    return out


async def step_stats(
    session: AsyncSession, corp_id: int, template_id: int, *, now: datetime
) -> list[StepStats]:
    overdue = case((SopTask.overdue_at < now, 1), else_=0)
    rows = await session.execute(
        scoped(SopTask, corp_id, SopTask.position, SopTask.status, func.count(), func.sum(overdue))
        .where(SopTask.template_id == template_id)
        .group_by(SopTask.position, SopTask.status)
    )
    by: dict[int, StepStats] = {}
    for pos, status, n, late in rows.all():
        s = by.setdefault(int(pos), StepStats(position=int(pos)))
        if status == "open":
            s.open, s.overdue = int(n), int(late or 0)
        elif status in ("scheduled", "done", "skipped"):
            setattr(s, status, int(n))
    return [by[k] for k in sorted(by)]


async def employee_stats(
    session: AsyncSession, corp_id: int, template_id: int, *, now: datetime
) -> list[tuple[str, int, int, int]]:
    """(userid, due, done, overdue) for employees with delivered steps of the template."""
    is_open = case((SopTask.status == "open", 1), else_=0)
    is_done = case((SopTask.status == "done", 1), else_=0)
    late = case(((SopTask.status == "open") & (SopTask.overdue_at < now), 1), else_=0)
    rows = await session.execute(
        scoped(
            SopTask, corp_id, SopTask.userid, func.sum(is_open), func.sum(is_done), func.sum(late)
        )
        .where(SopTask.template_id == template_id, SopTask.status != "scheduled")
        .group_by(SopTask.userid)
        .order_by(func.sum(late).desc(), SopTask.userid)
    )
    return [(u, int(a or 0) - int(c or 0), int(b or 0), int(c or 0)) for u, a, b, c in rows.all()]


def due_ids(corp_id: int, *, now: datetime, limit: int) -> Select[int]:
    """The next due timers of a corp (index ``(corp_id, status, due_at)``)."""
    return (
        select(SopTask.id)
        .where(SopTask.corp_id == corp_id, SopTask.status == "scheduled", SopTask.due_at <= now)
        .order_by(SopTask.due_at, SopTask.id)
        .limit(limit)
    )


async def has_due(session: AsyncSession, corp_id: int, *, now: datetime) -> bool:
    found = await session.scalar(
        select(SopTask.id)
        .where(SopTask.corp_id == corp_id, SopTask.status == "scheduled", SopTask.due_at <= now)
        .limit(1)
    )
    return found is not None
