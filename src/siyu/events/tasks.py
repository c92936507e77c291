"""Queue entry points for inbound events: thin and idempotent."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab

from siyu.corps.models import Corp
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.events import repository, service
from siyu.events.models import InboundEvent
from siyu.worker.app import huey, run_async
from siyu.worker.context import client_for

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


async def process_event_now(db: Database, event_id: int) -> str:
    """Process one stored event in its own unit of work; failures are recorded on the row."""
    try:
        async with db.unit_of_work() as s:
            row = await s.get(InboundEvent, event_id)
            if row is None:
                return "missing"
            corp = await s.get(Corp, row.corp_id)
            assert corp is not None
            async with client_for(corp) as client:
                return await service.process(s, event_id, client)
    except Exception as exc:
        async with db.unit_of_work() as s:
            row = await s.get(InboundEvent, event_id)
            final = row is not None and row.attempts + 1 >= MAX_ATTEMPTS
            if row is not None:
                row.attempts += 1
            await service.mark_failed(s, event_id, f"{type(exc).__name__}: {exc}", final=final)
        raise


@huey.task(retries=MAX_ATTEMPTS - 1, retry_delay=5)
def process_event(event_id: int) -> str:
    """Apply one inbound WeCom event (fetches the fresh state from WeCom)."""
    return run_async(lambda db: process_event_now(db, event_id))


async def _sweep(db: Database) -> list[int]:
    async with db.unit_of_work() as s:
        return await repository.stale_pending(s, before=utcnow() - timedelta(minutes=2))


@huey.periodic_task(crontab(minute="*"))
def sweep_pending_events() -> int:
    """Re-enqueue events whose job was lost (e.g. the process died right after commit)."""
    ids = run_async(_sweep)
    for event_id in ids:
        process_event(event_id)
    return len(ids)
