"""Queue entry points of frontline tasks: result sync, reminders, the minute's due scan."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.tasks import send_app_message
from siyu.broadcasts import ledger
from siyu.broadcasts.tasks import run_broadcast
from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.corps.service import client_for
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.frontline import progress, service
from siyu.frontline import repository as repo
from siyu.frontline.launch import Outbound, Signer
from siyu.messaging import outbox
from siyu.messaging.queue import huey, run_async

log = logging.getLogger(__name__)


def signer() -> Signer:
    settings = get_settings()
    return Signer(settings.secret_key.get_secret_value(), settings.base_url)


def enqueue(s: AsyncSession, corp_id: int, out: Outbound) -> None:
    """Queue the broadcasts and app messages of a launch or reminder after commit."""
    for bid in out.broadcasts:
        outbox.enqueue(s, run_broadcast, corp_id, bid)
    for mid in out.messages:
        outbox.enqueue(s, send_app_message, corp_id, mid)


async def sync_now(db: Database, corp_id: int, task_id: int) -> dict[str, object]:
    """Pull WeCom's send results into the broadcast ledger, then refresh the task."""
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        bids = await service.broadcast_ids(s, corp_id, task_id)
    async with client_for(corp) as client:
        for bid in bids:
            await ledger.sync(db, corp_id, bid, client)
    async with db.unit_of_work() as s:
        task = await repo.get(s, corp_id, task_id)
        if task is None:
            return {}
        totals = await progress.refresh(s, task)
        task.synced_at = utcnow()
        return totals.model_dump()


@huey.task(retries=3, retry_delay=60)
def sync_task(corp_id: int, task_id: int) -> dict[str, object]:
    """Sync a task's send results and refresh completion and effect."""
    return run_async(lambda db: sync_now(db, corp_id, task_id))


async def remind_now(db: Database, corp_id: int, task_id: int) -> int:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        task = await repo.get(s, corp_id, task_id)
        if task is None or task.status != "running":
            return 0
        async with client_for(corp) as client:
            result, msgs = await progress.remind(
                s, task, None, client=client, now=utcnow(), tz=corp.timezone, auto=True
            )
        enqueue(s, corp_id, Outbound(messages=msgs))
        return result.employees


@huey.task(retries=2, retry_delay=60)
def remind_task(corp_id: int, task_id: int) -> int:
    """The automatic reminder before the deadline (WeCom reminder + app message)."""
    return run_async(lambda db: remind_now(db, corp_id, task_id))


async def tick_now(db: Database) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    async with db.unit_of_work() as s:
        work = await service.due(s, now=utcnow(), signer=signer())
        for corp_id, out in work["launched"]:
            enqueue(s, corp_id, out)
        return work["remind"], work["sync"]


@huey.periodic_task(crontab(minute="*"))
def frontline_tick() -> int:
    """Every minute: start scheduled tasks, end tasks at their deadline, send automatic
    reminders, and sync results of running and recently ended tasks."""
    remind, sync = run_async(tick_now)
    for corp_id, task_id in remind:
        remind_task(corp_id, task_id)
    for corp_id, task_id in sync:
        sync_task(corp_id, task_id)
    return len(remind) + len(sync)
