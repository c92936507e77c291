"""Queue entry points for inbound events: thin and idempotent.

The callback endpoint enqueues ``drain_events(corp_id)`` after its batch commits. A drain first
moves the corp's spooled callbacks into ``inbound_events`` (SQLite: ``siyu.events.spool``), then
takes the corp's pending events in arrival order, a batch at a time: it reads from WeCom everything
the batch needs first (concurrently, with no database lock held), then applies the events in
order in one transaction. One drain per corp runs at a time (a Huey lock), so a customer's
events are never applied out of order by two workers. An event that fails is retried alone by
``process_event`` and recorded as failed after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from huey import crontab
from huey.constants import EmptyData
from sqlalchemy import select

from siyu.corps.models import Corp
from siyu.corps.service import client_for
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.events import repository, service, spool
from siyu.events.models import InboundEvent
from siyu.events.prefetch import prefetch
from siyu.messaging.queue import huey, run_async
from siyu.wecom.client import WeComClient

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 500  # events applied per transaction (at most: a batch is what is pending)


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
    """Apply one inbound WeCom event on its own (the retry path of a failed batch)."""
    return run_async(lambda db: process_event_now(db, event_id))


async def _pending(
    db: Database, corp_id: int, *, after: int, skip: set[int], limit: int = BATCH
) -> list[service.Pending]:
    """The next batch of the corp's pending events with an id above ``after``, in order."""
    e = InboundEvent
    async with db.read() as s:  # a snapshot: the API's group commits go on meanwhile
        stmt = (
            select(e.id, e.corp_id, e.event, e.change_type, e.payload)
            .where(
                e.corp_id == corp_id,
                e.status == "pending",
                e.attempts == 0,
                e.id > after,
            )
            .order_by(e.id)
            .limit(limit)
        )
        rows = (await s.execute(stmt)).all()
    return [service.Pending(i, c, ev, ct, p or {}) for i, c, ev, ct, p in rows if i not in skip]


async def _next(
    db: Database, corp_id: int, client: WeComClient, *, after: int, skip: set[int]
) -> tuple[list[service.Pending], service.Prefetched]:
    """The next batch (what is pending, up to BATCH) and its WeCom reads. It does not wait for
    more events: while a batch is applied the next one fills anyway, and waiting only delayed
    the last batch of a burst (measured: 44 → 48 % in ``callback_ingest --worker-process``)."""
    await spool.move(db, corp_id)  # callbacks acknowledged through the spool become pending
    rows = await _pending(db, corp_id, after=after, skip=skip)
    if not rows:
        return rows, service.Prefetched()
    return rows, await prefetch(db, corp_id, rows, client)


async def _apply(
    db: Database, rows: list[service.Pending], client: WeComClient, cache: service.Prefetched
) -> None:
    async with db.unit_of_work() as s:
        # only those still pending now that the write lock is held (a retry may have run)
        still = set(
            await s.scalars(
                select(InboundEvent.id).where(
                    InboundEvent.id.in_([r.id for r in rows]), InboundEvent.status == "pending"
                )
            )
        )
        await service.process_batch(s, [r for r in rows if r.id in still], client, cache)


async def drain_now(db: Database, corp_id: int) -> int:
    """Apply every pending event of the corp, batch by batch; returns how many were applied.

    While a batch is applied (write transaction), the WeCom reads of the next batch are already
    in flight, so WeCom (or the sandbox) works while this process writes. States are still
    applied in arrival order: the next batch's reads start after this batch's reads ended.
    """
    applied, skip = 0, set[int]()
    async with db.read() as s:
        corp = await s.get(Corp, corp_id)
    if corp is None:
        return 0
    async with client_for(corp) as client:

        def ahead_of(after: int) -> asyncio.Task[tuple[list[service.Pending], service.Prefetched]]:
            # from the start (after=0) too: events re-armed below the cursor are picked up
            return asyncio.create_task(_next(db, corp_id, client, after=after, skip=skip))

        ahead, from_start = ahead_of(0), True
        try:
            while True:
                rows, cache = await ahead
                if not rows:
                    if from_start:
                        return applied
                    ahead, from_start = ahead_of(0), True
                    continue
                ahead, from_start = ahead_of(rows[-1].id), False
                try:
                    await _apply(db, rows, client, cache)
                    applied += len(rows)
                except Exception:
                    log.exception("%d events failed as a batch; retrying each alone", len(rows))
                    for row in rows:
                        skip.add(row.id)
                        process_event(row.id)
        finally:
            ahead.cancel()
            with contextlib.suppress(BaseException):
                await ahead


def _queued_key(corp_id: int) -> str:
    return f"drain-events-queued-{corp_id}"


def wake_drain(corp_id: int) -> bool:
    """Enqueue a drain of the corp unless one is already queued (not yet started).

    A drain clears the marker when it starts, before reading pending events, so an event
    stored after that moment always finds the marker clear and queues the next drain.
    """
    key = _queued_key(corp_id)
    if huey.get_raw(key, peek=True) is not EmptyData:
        return False  # queued and not started: it will read these events (a read, no write)
    if not huey.put_if_empty(key, "1"):
        return False
    drain_events(corp_id)
    return True


@huey.task(retries=20, retry_delay=1)
def drain_events(corp_id: int) -> int:
    """Apply the corp's pending events (one drain per corp at a time)."""
    # When another drain holds the lock, TaskLockedException makes Huey retry this one
    # shortly, so events that arrived after the other drain's last batch are not left waiting.
    with huey.lock_task(f"drain-events-{corp_id}"):
        huey.get(_queued_key(corp_id))  # clears the marker: later events queue a new drain
        applied = 0
        while True:
            applied += run_async(lambda db: drain_now(db, corp_id))
            # Events stored while this drain ran queued another one, which waits for this
            # lock (Huey retries it a second or more later): take them now instead. The
            # queued drain still runs later and finds nothing.
            if huey.get(_queued_key(corp_id)) is None:
                return applied


async def _sweep(db: Database) -> tuple[set[int], list[int]]:
    async with db.read() as s:
        before = utcnow() - timedelta(minutes=2)
        ids = await repository.stale_pending(s, before=before)
        rows = (
            await s.execute(
                select(InboundEvent.id, InboundEvent.corp_id, InboundEvent.attempts).where(
                    InboundEvent.id.in_(ids)
                )
            )
        ).all()
    corps = {c for _, c, attempts in rows if attempts == 0}
    corps |= await spool.stale_corps(db, before=before)
    retries = [i for i, _, attempts in rows if attempts > 0]
    return corps, retries


@huey.periodic_task(crontab(minute="*"))
def sweep_pending_events() -> int:
    """Re-enqueue work whose job was lost (e.g. the process died right after commit)."""
    corps, retries = run_async(_sweep)
    for corp_id in corps:
        huey.delete(_queued_key(corp_id))  # a lost job may have left its marker behind
        wake_drain(corp_id)
    for event_id in retries:
        process_event(event_id)
    return len(corps) + len(retries)
