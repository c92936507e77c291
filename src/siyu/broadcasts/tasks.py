"""Queue entry points: run (plan + submit) and sync a broadcast; the periodic due-scan."""

from __future__ import annotations

import logging

from huey import crontab

from siyu.broadcasts import ledger
from siyu.broadcasts import service as broadcasts
from siyu.corps import service as corps
from siyu.corps.service import client_for
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.messaging.queue import huey, run_async

log = logging.getLogger(__name__)
SYNC_EVERY = 10 * 60
SYNC_HORIZON = 3 * 86400


async def run_now(db: Database, corp_id: int, broadcast_id: int) -> str:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
    async with client_for(corp) as client:
        return await ledger.run(db, corp_id, broadcast_id, client, tz=corp.timezone)


async def sync_now(db: Database, corp_id: int, broadcast_id: int) -> dict[str, int]:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
    async with client_for(corp) as client:
        return await ledger.sync(db, corp_id, broadcast_id, client)


@huey.task(retries=10, retry_delay=30)
def run_broadcast(corp_id: int, broadcast_id: int) -> str:
    """Plan and submit a broadcast; a job left in flight is reconciled before any resend."""
    return run_async(lambda db: run_now(db, corp_id, broadcast_id))


@huey.task(retries=3, retry_delay=60)
def sync_broadcast(corp_id: int, broadcast_id: int) -> dict[str, int]:
    """Pull WeCom's task and per-customer send results into the ledger."""
    return run_async(lambda db: sync_now(db, corp_id, broadcast_id))


async def _tick(db: Database) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    now = utcnow()
    async with db.unit_of_work() as s:
        run = await broadcasts.due(s, now=now)
        run += [x for x in await broadcasts.stalled(s, now=now) if x not in run]
        sync = await broadcasts.to_sync(s, now=now, every=SYNC_EVERY, horizon=SYNC_HORIZON)
    return run, sync


@huey.periodic_task(crontab(minute="*"))
def broadcast_tick() -> int:
    """Every minute: start due scheduled broadcasts, resume stalled ones (their worker died),
    and sync results of recent ones."""
    run, sync = run_async(_tick)
    for corp_id, bid in run:
        run_broadcast(corp_id, bid)
    for corp_id, bid in sync:
        sync_broadcast(corp_id, bid)
    return len(run) + len(sync)
