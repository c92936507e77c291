"""Runs: start a template for a customer or a group (its timers are rows), stop runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.db.repository import scoped
from siyu.sop import repository as repo
from siyu.sop import schedule
from siyu.sop.models import SopRun, SopStep, SopTask, SopTemplate

OPEN_STATES = ("scheduled", "open")
_TASKS: Table = SopTask.__table__  # type: ignore[assignment]


def _tasks(run: SopRun, steps: Sequence[SopStep], *, tz: ZoneInfo) -> list[dict[str, object]]:
    return [
        {
            "corp_id": run.corp_id,
            "run_id": run.id,
            "template_id": run.template_id,
            "step_id": st.id,
            "position": st.position,
            "customer_id": run.customer_id,
            "group_pk": run.group_pk,
            "userid": run.userid,
            "status": "scheduled",
            "due_at": schedule.due_at(
                run.started_at, day=st.day, minutes=st.minutes, at_time=st.at_time, tz=tz
            ),
            "finished_by": "",
            "content": {},
        }
        for st in steps
    ]


async def start(
    session: AsyncSession,
    tpl: SopTemplate,
    *,
    customer_id: int | None = None,
    group_pk: int | None = None,
    userid: str,
    at: datetime,
    tz: ZoneInfo,
) -> SopRun | None:
    """Start ``tpl`` for one customer or group; None when it already ran for them (a customer
    goes through a template once: redelivered events and repeated triggers start nothing)."""
    column = SopRun.customer_id if customer_id is not None else SopRun.group_pk
    target = customer_id if customer_id is not None else group_pk
    exists = await session.scalar(
        scoped(SopRun, tpl.corp_id, SopRun.id).where(SopRun.template_id == tpl.id, column == target)
    )
    if exists is not None or not userid:
        return None
    steps = await repo.steps(session, tpl.corp_id, tpl.id, tpl.version)
    run = SopRun(
        corp_id=tpl.corp_id,
        template_id=tpl.id,
        version=tpl.version,
        customer_id=customer_id,
        group_pk=group_pk,
        userid=userid,
        status="running",
        stop_reason="",
        started_at=at,
    )
    session.add(run)
    await session.flush()
    await session.execute(insert(_TASKS), _tasks(run, steps, tz=tz))
    return run


async def stop(
    session: AsyncSession, corp_id: int, run_ids: Sequence[int], *, reason: str, now: datetime
) -> int:
    """Stop running runs; their scheduled and open steps are cancelled. Returns runs stopped."""
    if not run_ids:
        return 0
    ids = list(run_ids)
    result = await session.execute(
        update(SopRun)
        .where(SopRun.corp_id == corp_id, SopRun.id.in_(ids), SopRun.status == "running")
        .values(status="stopped", stop_reason=reason, ended_at=now)
    )
    await session.execute(
        update(SopTask)
        .where(SopTask.corp_id == corp_id, SopTask.run_id.in_(ids), SopTask.status.in_(OPEN_STATES))
        .values(status="cancelled", finished_at=now, finished_by=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def stop_template(
    session: AsyncSession, corp_id: int, template_id: int, *, reason: str, now: datetime
) -> int:
    ids = (
        await session.scalars(
            scoped(SopRun, corp_id, SopRun.id).where(
                SopRun.template_id == template_id, SopRun.status == "running"
            )
        )
    ).all()
    total = 0
    for i in range(0, len(ids), 500):
        total += await stop(session, corp_id, ids[i : i + 500], reason=reason, now=now)
    return total


async def running_for_customer(
    session: AsyncSession, corp_id: int, customer_id: int, *, userid: str | None = None
) -> list[tuple[SopRun, SopTemplate]]:
    stmt = (
        select(SopRun, SopTemplate)
        .join(SopTemplate, SopTemplate.id == SopRun.template_id)
        .where(
            SopRun.corp_id == corp_id,
            SopRun.customer_id == customer_id,
            SopRun.status == "running",
        )
    )
    if userid is not None:
        stmt = stmt.where(SopRun.userid == userid)
    return [(r, t) for r, t in (await session.execute(stmt)).all()]


def stop_reason(
    tpl: SopTemplate, tags: set[str], stage: tuple[int, str] | None = None
) -> str | None:
    """Why a customer run stops given the customer's current tags and stage (id, kind):
    None when it goes on. Reaching a stop stage of kind ``won`` counts as converted."""
    if stage is not None and stage[0] in (tpl.stop.get("stages") or []):
        return "converted" if stage[1] == "won" else "stage_reached"
    if set(tpl.stop.get("converted_tags") or []) & tags:
        return "converted"
    if set(tpl.stop.get("tags_removed") or []) - tags:
        return "tag_removed"
    return None


async def complete_if_finished(
    session: AsyncSession, corp_id: int, run_id: int, *, now: datetime
) -> None:
    left = await session.scalar(
        scoped(SopTask, corp_id, SopTask.id)
        .where(SopTask.run_id == run_id, SopTask.status.in_(OPEN_STATES))
        .limit(1)
    )
    if left is None:
        await session.execute(
            update(SopRun)
            .where(SopRun.id == run_id, SopRun.status == "running")
            .values(status="completed", ended_at=now)
        )
