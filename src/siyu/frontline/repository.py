"""Every frontline query: tasks and assignees in a principal's scope, ledger and radar rollups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.broadcasts.models import BroadcastRecipient, BroadcastSender
from siyu.content.models import RadarOpen
from siyu.db.repository import scoped
from siyu.employees import service as directory
from siyu.employees.models import Employee
from siyu.frontline.models import FrontlineAssignee, FrontlineTask


def tasks(corp_id: int, visible: frozenset[str] | None) -> Select[Any]:
    """Tasks of the corp; for a scoped principal only those assigning a visible employee."""
    stmt = scoped(FrontlineTask, corp_id)
    if visible is not None:
        a = FrontlineAssignee
        stmt = stmt.where(
            FrontlineTask.id.in_(
                select(a.task_id).where(a.corp_id == corp_id, a.userid.in_(sorted(visible)))
            )
        )
    return stmt


async def get(
    s: AsyncSession, corp_id: int, task_id: int, visible: frozenset[str] | None = None
) -> FrontlineTask | None:
    return await s.scalar(tasks(corp_id, visible).where(FrontlineTask.id == task_id))


async def claim(
    s: AsyncSession, task: FrontlineTask, *, expect: str, where: Sequence[Any] = (), **values: Any
) -> bool:
    """Move the task from ``expect`` with a conditional UPDATE: of two concurrent callers (two
    ticks, a double click) exactly one wins; the other's row no longer matches."""
    t = FrontlineTask
    result = await s.execute(
        update(t)
        .where(t.id == task.id, t.corp_id == task.corp_id, t.status == expect, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def assignees(corp_id: int, task_id: int, visible: frozenset[str] | None) -> Select[Any]:
    a = FrontlineAssignee
    stmt = scoped(a, corp_id).where(a.task_id == task_id)
    if visible is not None:
        stmt = stmt.where(a.userid.in_(sorted(visible)))
    return stmt


async def all_assignees(
    s: AsyncSession, corp_id: int, task_id: int, visible: frozenset[str] | None = None
) -> list[FrontlineAssignee]:
    stmt = assignees(corp_id, task_id, visible).order_by(FrontlineAssignee.userid)
    return list((await s.scalars(stmt)).all())


async def replace_assignees(
    s: AsyncSession, corp_id: int, task_id: int, people: Sequence[tuple[str, str]]
) -> None:
    a = FrontlineAssignee
    await s.execute(delete(a).where(a.corp_id == corp_id, a.task_id == task_id))
    for userid, name in people:
        s.add(
            FrontlineAssignee(
                corp_id=corp_id,
                task_id=task_id,
                userid=userid,
                name=name,
                assigned=0,
                sent=0,
                not_sent=0,
                failed=0,
                done=False,
                opens=0,
                opened_customers=0,
                reminds=0,
            )
        )
    await s.flush()


async def employees(s: AsyncSession, corp_id: int, userids: Sequence[str]) -> list[Employee]:
    stmt = scoped(Employee, corp_id).where(Employee.userid.in_(sorted(set(userids))))
    return list((await s.scalars(stmt.order_by(Employee.userid))).all())


async def department_userids(s: AsyncSession, corp_id: int, roots: Sequence[int]) -> set[str]:
    """Active employees of these departments and every department below them."""
    parents = await directory.department_parents(s, corp_id)
    subtree = set(roots)
    while True:
        more = {d for d, p in parents.items() if p in subtree} - subtree
        if not more:
            break
        subtree |= more
    rows = await s.execute(
        scoped(Employee, corp_id, Employee.userid, Employee.department_ids).where(
            Employee.active.is_(True)
        )
    )
    return {str(u) for u, ids in rows.all() if subtree & set(ids or [])}


async def ledger_counts(s: AsyncSession, broadcast_id: int) -> dict[str, dict[str, int]]:
    """``userid -> {state: n}`` of a broadcast's recipients."""
    r = BroadcastRecipient
    rows = await s.execute(
        select(r.userid, r.state, func.count())
        .where(r.broadcast_id == broadcast_id)
        .group_by(r.userid, r.state)
    )
    out: dict[str, dict[str, int]] = {}
    for userid, state, n in rows.all():
        out.setdefault(str(userid), {})[str(state)] = int(n)
    return out


async def sender_jobs(s: AsyncSession, corp_id: int, broadcast_id: int) -> list[BroadcastSender]:
    stmt = scoped(BroadcastSender, corp_id).where(BroadcastSender.broadcast_id == broadcast_id)
    return list((await s.scalars(stmt.order_by(BroadcastSender.id))).all())


async def radar_counts(
    s: AsyncSession,
    corp_id: int,
    item_ids: Sequence[int],
    *,
    since: datetime,
    until: datetime | None,
) -> dict[str, tuple[int, int]]:
    """``userid -> (opens, distinct known customers)`` of these items' radar links."""
    if not item_ids:
        return {}
    o = RadarOpen
    conds = [o.corp_id == corp_id, o.item_id.in_(sorted(set(item_ids))), o.opened_at >= since]
    if until is not None:
        conds.append(o.opened_at < until)
    rows = await s.execute(
        select(o.userid, func.count(), func.count(func.distinct(o.customer_id)))
        .where(and_(*conds))
        .group_by(o.userid)
    )
    return {str(u): (int(n), int(c)) for u, n, c in rows.all()}


async def broadcast_radar_counts(
    s: AsyncSession, corp_id: int, broadcast_ids: Sequence[int]
) -> dict[str, tuple[int, int]]:
    """``userid -> (opens, distinct identified customers)`` of the radar links sent in these
    broadcasts (each link names its broadcast and sender)."""
    o = RadarOpen
    rows = await s.execute(
        select(o.userid, func.count(), func.count(func.distinct(o.customer_id)))
        .where(o.corp_id == corp_id, o.broadcast_id.in_(sorted(set(broadcast_ids))))
        .group_by(o.userid)
    )
    return {str(u): (int(n), int(c)) for u, n, c in rows.all()}


async def period_rows(
    s: AsyncSession,
    corp_id: int,
    *,
    since: datetime,
    until: datetime,
    visible: frozenset[str] | None,
) -> list[Any]:
    """Per employee over tasks started in ``[since, until)``: tasks, assigned, sent, done,
    opens, opened customers, name."""
    a, t = FrontlineAssignee, FrontlineTask
    stmt = (
        select(
            a.userid,
            func.max(a.name),
            func.count(),
            func.sum(a.assigned),
            func.sum(a.sent),
            func.sum(func.cast(a.done, Integer)),
            func.sum(a.opens),
            func.sum(a.opened_customers),
        )
        .join(t, t.id == a.task_id)
        .where(
            a.corp_id == corp_id,
            t.status.in_(("running", "ended")),
            t.started_at >= since,
            t.started_at < until,
        )
        .group_by(a.userid)
    )
    if visible is not None:
        stmt = stmt.where(a.userid.in_(sorted(visible)))
    return list((await s.execute(stmt)).all())
