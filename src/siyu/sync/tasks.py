"""Queue entry points for the full sync, and the periodic monitor that fans it out per corp."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab

from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.corps.service import client_for
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.messaging.queue import huey, run_async
from siyu.sync import service

log = logging.getLogger(__name__)


async def full_sync_now(db: Database, corp_id: int, run_id: int) -> str:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
    async with client_for(corp) as client:
        run = await service.run_full_sync(db, corp_id, run_id, client)
    return run.status


@huey.task()
def full_sync(corp_id: int, run_id: int) -> str:
    """Run (or resume) one sync run to its end."""
    return run_async(lambda db: full_sync_now(db, corp_id, run_id))


async def _due(db: Database) -> list[tuple[int, int]]:
    interval = get_settings().sync_interval_minutes
    due: list[tuple[int, int]] = []
    if interval <= 0:
        return due
    async with db.unit_of_work() as s:
        await service.mark_stale_interrupted(s)
        for corp in await corps.list_corps(s):
            if await service.is_active(s, corp.id):
                continue
            last = corp.last_synced_at
            if last is not None and utcnow() - last < timedelta(minutes=interval):
                continue
            run = await service.start_or_resume(s, corp, trigger="periodic")
            due.append((corp.id, run.id))
    return due


@huey.periodic_task(crontab(minute="*/5"))
def periodic_sync() -> int:
    """Every 5 minutes: start the sync of each corp whose last sync is older than the interval."""
    due = run_async(_due)
    for corp_id, run_id in due:
        full_sync(corp_id, run_id)
    return len(due)
