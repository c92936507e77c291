"""Group commit for inbound callbacks (API side, PostgreSQL; SQLite uses ``siyu.events.spool``).

Each callback request hands its event to the sink and waits; the sink writes every event that
arrived meanwhile in ONE transaction, answers all their requests after the commit, and then wakes
one drain job per corp. A request is answered only once its event is durable, and under a burst
the per-event database cost is a fraction of one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from siyu.db.session import Database
from siyu.events import service
from siyu.wecom.callbacks import CallbackEvent
from siyu.wecom.crypto import CallbackCrypto

log = logging.getLogger(__name__)
MAX_BATCH = 500
CONFIG_TTL = 30.0  # seconds a corp's callback crypto is cached for POSTs


@dataclass
class _Item:
    corp_id: int
    event: CallbackEvent
    xml: str
    done: asyncio.Future[int | None]


class EventSink:
    """Batches ``service.store`` calls of concurrent requests into shared transactions."""

    def __init__(self, db: Database, wake: Callable[[int], Any]) -> None:
        self._db = db
        self._wake = wake
        self._queue: asyncio.Queue[_Item] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def store(self, corp_id: int, event: CallbackEvent, xml: str) -> int | None:
        """Store one event durably; the id to process, or None for an ignored redelivery."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="siyu-event-sink")
        item = _Item(corp_id, event, xml, asyncio.get_running_loop().create_future())
        self._queue.put_nowait(item)
        return await item.done

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                async with self._db.unit_of_work() as s:
                    ids = await service.store_many(s, [(i.corp_id, i.event, i.xml) for i in batch])
            except Exception as exc:
                log.exception("could not store %d callback events", len(batch))
                for item in batch:
                    if not item.done.done():
                        item.done.set_exception(exc)
                continue
            # the events are durable: answer WeCom first, then queue the drains (a lost wake-up
            # only delays processing until the sweeper's next minute)
            for item, new in zip(batch, ids, strict=True):
                if new is None:
                    log.info("duplicate delivery of %s ignored", item.event.key)
                if not item.done.done():
                    item.done.set_result(new)
            corps = {i.corp_id for i, new in zip(batch, ids, strict=True) if new is not None}
            await asyncio.to_thread(wake_each, self._wake, corps)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


def wake_each(wake: Callable[[int], Any], corp_ids: Iterable[int]) -> None:
    """Queue each corp's drain once its events are durable. A failure is only logged: the
    events are stored, and the sweeper wakes the drain within a minute."""
    for corp_id in sorted(corp_ids):
        try:
            wake(corp_id)
        except Exception:
            log.exception("could not enqueue the drain of corp %s", corp_id)


@dataclass
class CallbackConfig:
    corp_id: int
    crypto: CallbackCrypto
    expires: float


class CallbackConfigCache:
    """Each corp's callback crypto for a short while, so a POST needs no database read."""

    def __init__(self, ttl: float = CONFIG_TTL) -> None:
        self.ttl = ttl
        self._items: dict[str, CallbackConfig] = {}

    def get(self, wecom_corp_id: str) -> CallbackConfig | None:
        item = self._items.get(wecom_corp_id)
        if item is None or item.expires < time.monotonic():
            return None
        return item

    def put(self, wecom_corp_id: str, corp_id: int, crypto: CallbackCrypto) -> CallbackConfig:
        item = CallbackConfig(corp_id, crypto, time.monotonic() + self.ttl)
        self._items[wecom_corp_id] = item
        return item

    def clear(self) -> None:
        self._items.clear()
