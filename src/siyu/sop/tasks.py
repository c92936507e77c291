"""Queue entry points of SOPs: the minute tick, one scan per corp with due steps, backfill."""

from __future__ import annotations

import logging

from huey import crontab
from huey.exceptions import TaskLockedException

from siyu.corps import service as corps
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.messaging.queue import huey, run_async
from siyu.sop import backfill, delivery
from siyu.sop import repository as repo

log = logging.getLogger(__name__)


async def scan_now(db: Database, corp_id: int) -> int:
    result = await delivery.scan_due(db, corp_id, now=utcnow())
    return result.delivered


@huey.task()
def sop_scan(corp_id: int) -> int:
    """Deliver one corp's due SOP steps (one scan per corp at a time)."""
    try:
        with huey.lock_task(f"sop-scan-{corp_id}"):
            return run_async(lambda db: scan_now(db, corp_id))
    except TaskLockedException:
        return 0  # a scan of this corp is running: it picks up these rows too


async def _due_corps(db: Database) -> tuple[list[int], list[tuple[int, int]]]:
    now = utcnow()
    async with db.unit_of_work() as s:
        ids = [c.id for c in await corps.list_corps(s)]
        due = [i for i in ids if await repo.has_due(s, i, now=now)]
        fills = await backfill.pending(s)
    return due, fills


@huey.periodic_task(crontab(minute="*"))
def sop_tick() -> int:
    """Every minute: a scan for each corp with a due step (an index probe per corp),
    and the backfills waiting for a job."""
    due, fills = run_async(_due_corps)
    for corp_id in due:
        sop_scan(corp_id)
    for corp_id, template_id in fills:
        sop_backfill(corp_id, template_id)
    return len(due)


@huey.task()
def sop_backfill(corp_id: int, template_id: int) -> int:
    """Start a template for customers already matching its trigger, in chunks (resumable)."""
    try:
        with huey.lock_task(f"sop-backfill-{template_id}"):
            started = run_async(lambda db: backfill.run(db, corp_id, template_id))
    except TaskLockedException:
        return 0
    sop_scan(corp_id)
    return started
