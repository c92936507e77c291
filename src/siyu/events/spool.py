"""The callback spool: where a SQLite deployment makes a callback durable before answering it.

A SQLite database has one write lock. If the callback endpoint committed its events to the
main database, every acknowledgement would queue behind the worker's write transactions (a
batch of events applied, a sync page...) and WeCom would wait for them. So on SQLite the
endpoint commits to a small database file of its own beside the main one (``siyu.db`` →
``siyu.callbacks.db``), written by one thread of the API process with plain ``sqlite3`` in
group commits (WAL, ``synchronous=NORMAL``: the durability of the main database). Only the
API's writer and the drain's mover ever lock it, each for a few milliseconds.

The drain (``siyu.events.tasks``) moves a corp's spooled events into ``inbound_events`` in
arrival order with :func:`siyu.events.service.store_many`, which checks their idempotency key,
and deletes them from the spool after that commit. A crash between the two moves them again on
the next drain: :func:`~siyu.events.service.store_many` then treats them exactly like WeCom's
redeliveries (ignored, or re-armed when re-reading WeCom is harmless). PostgreSQL has row
locks, so there the endpoint stores straight into ``inbound_events`` (``siyu.events.sink``).

The spool holds nothing but events in flight; it has no migrations and is created on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from siyu.db.session import Database
from siyu.events import service
from siyu.events.sink import wake_each
from siyu.wecom.callbacks import CallbackEvent

log = logging.getLogger(__name__)
MAX_BATCH = 500  # events per group commit
MOVE_BATCH = 500  # spooled events moved per transaction of the main database
LOCK_TIMEOUT = 30.0  # seconds, as the main database's busy_timeout

SCHEMA = """
CREATE TABLE IF NOT EXISTS spooled_events (
    id INTEGER PRIMARY KEY,
    corp_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    change_type TEXT NOT NULL,
    fields TEXT NOT NULL,
    xml TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS spooled_events_corp ON spooled_events (corp_id, id);
"""
INSERT = (
    "INSERT INTO spooled_events (corp_id, event, change_type, fields, xml, received_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def row(corp_id: int, event: CallbackEvent, xml: str, received_at: str) -> tuple[Any, ...]:
    """The parameters of :data:`INSERT` for one event (``received_at``: ISO 8601, UTC)."""
    return (
        corp_id,
        event.event[:64],
        event.change_type[:64],
        json.dumps(event.fields, ensure_ascii=False),
        xml,
        received_at,
    )


def spool_path(database_url: str) -> Path | None:
    """The spool file of a SQLite database file; None for other databases (no spool)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    main = Path(str(url.database))
    return main.with_name(f"{main.stem}.callbacks{main.suffix or '.db'}")


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the spool (created if missing), in autocommit mode: callers BEGIN."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=LOCK_TIMEOUT, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.executescript(SCHEMA)
    return con


@dataclass
class _Item:
    corp_id: int
    event: CallbackEvent
    xml: str
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[None]


class SpoolSink:
    """The API side: ``await store(...)`` returns once the event is committed to the spool.

    Requests hand their events to one writer thread, which commits everything that arrived
    meanwhile in one transaction, answers those requests, then wakes each corp's drain.
    """

    def __init__(self, path: Path, wake: Callable[[int], Any]) -> None:
        self.path = path
        self._wake = wake
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    async def store(self, corp_id: int, event: CallbackEvent, xml: str) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    connect(self.path).close()  # a broken spool fails the request, not later
                    self._thread = threading.Thread(
                        target=self._run, name="siyu-callback-spool", daemon=True
                    )
                    self._thread.start()
        loop = asyncio.get_running_loop()
        item = _Item(corp_id, event, xml, loop, loop.create_future())
        self._queue.put(item)
        await item.done

    def _run(self) -> None:
        con = connect(self.path)
        try:
            while (first := self._queue.get()) is not None:
                batch, stop = [first], False
                while len(batch) < MAX_BATCH:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        stop = True
                        break
                    batch.append(item)
                self._commit(con, batch)
                if stop:
                    break
        finally:
            con.close()

    def _commit(self, con: sqlite3.Connection, batch: list[_Item]) -> None:
        now = datetime.now(UTC).isoformat()
        error: BaseException | None = None
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany(INSERT, [row(i.corp_id, i.event, i.xml, now) for i in batch])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        except Exception as exc:
            log.exception("could not spool %d callback events", len(batch))
            error = exc
        # the events are durable: answer WeCom first, then queue the drains (a lost wake-up
        # only delays processing until the sweeper's next minute)
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for item in batch:
            by_loop.setdefault(item.loop, []).append(item.done)
        for loop, futures in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that event loop is closed
                loop.call_soon_threadsafe(_settle, futures, error)
        if error is None:
            wake_each(self._wake, {i.corp_id for i in batch})

    async def close(self) -> None:
        thread = self._thread
        if thread is not None:
            self._queue.put(None)
            await asyncio.to_thread(thread.join)
            self._thread = None


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


# ---------------------------------------------------------------- the worker side


def _take(path: Path, corp_id: int, limit: int) -> list[tuple[Any, ...]]:
    con = connect(path)
    try:
        return con.execute(
            "SELECT id, event, change_type, fields, xml, received_at FROM spooled_events "
            "WHERE corp_id = ? ORDER BY id LIMIT ?",
            (corp_id, limit),
        ).fetchall()
    finally:
        con.close()


def _forget(path: Path, corp_id: int, first: int, last: int) -> None:
    """Delete what :func:`_take` returned: every event of the corp from ``first`` to ``last``.
    Nothing else is in that range: _take read the corp's oldest events, and an event spooled
    since has a higher id (its rowid is above every row still there, those included)."""
    con = connect(path)
    try:
        con.execute(
            "DELETE FROM spooled_events WHERE corp_id = ? AND id BETWEEN ? AND ?",
            (corp_id, first, last),
        )
    finally:
        con.close()


async def move(db: Database, corp_id: int) -> int:
    """Move the corp's spooled events into ``inbound_events``, oldest first, until none is
    left; how many were moved (redeliveries included). A no-op without a spool."""
    path = spool_path(db.url)
    if path is None or not path.exists():
        return 0
    moved = 0
    while rows := await asyncio.to_thread(_take, path, corp_id, MOVE_BATCH):
        items = [
            (corp_id, CallbackEvent(event=e, change_type=c, fields=json.loads(f)), xml)
            for _, e, c, f, xml, _ in rows
        ]
        received = [datetime.fromisoformat(r[5]) for r in rows]
        async with db.unit_of_work() as s:
            stored = await service.store_many(s, items, received=received)
        for (_, event, _), new in zip(items, stored, strict=True):
            if new is None:
                log.info("duplicate delivery of %s ignored", event.key)
        await asyncio.to_thread(_forget, path, corp_id, rows[0][0], rows[-1][0])
        moved += len(rows)
    return moved


def _stale(path: Path, before: str) -> list[int]:
    con = connect(path)
    try:
        q = "SELECT DISTINCT corp_id FROM spooled_events WHERE received_at < ?"
        return [int(c) for (c,) in con.execute(q, (before,)).fetchall()]
    finally:
        con.close()


async def stale_corps(db: Database, *, before: datetime) -> set[int]:
    """Corps with events spooled before ``before`` (their drain's wake-up may have been lost)."""
    path = spool_path(db.url)
    if path is None or not path.exists():
        return set()
    return set(await asyncio.to_thread(_stale, path, before.astimezone(UTC).isoformat()))


def _waiting(path: Path, corp_id: int) -> int:
    con = connect(path)
    try:
        q = "SELECT count(*) FROM spooled_events WHERE corp_id = ?"
        return int(con.execute(q, (corp_id,)).fetchone()[0])
    finally:
        con.close()


async def waiting(database_url: str, corp_id: int) -> int:
    """The corp's events acknowledged and not yet moved by a drain (0 without a spool)."""
    path = spool_path(database_url)
    if path is None or not path.exists():
        return 0
    return await asyncio.to_thread(_waiting, path, corp_id)


def count(database_url: str) -> int:
    """Events waiting in the spool (0 without one): tests and benchmarks wait for it."""
    path = spool_path(database_url)
    if path is None or not path.exists():
        return 0
    con = connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM spooled_events").fetchone()[0])
    finally:
        con.close()
