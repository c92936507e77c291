"""One writer at a time per SQLite database file in this process, handed over in FIFO order.

SQLite has one write lock per database. Every Siyu transaction on SQLite starts with
``BEGIN IMMEDIATE``; when two connections of the same process collide, the loser waits in
SQLite's busy handler, which *sleeps* (1, 2, 5 … 100 ms) between retries, so the lock often sits
free while writers sleep (measured in ``benchmarks/callback_ingest.py``). This lock is taken
before ``BEGIN IMMEDIATE`` and released after ``COMMIT``/``ROLLBACK``: a waiting unit of work of
this process wakes the moment the previous one ends, in arrival order, whichever event loop
(thread) it runs on. Other processes still meet at SQLite's lock and its busy timeout.

The lock is owned by a DBAPI connection, not by a task, so it cannot leak past the
transaction that took it: the engine releases it on commit, rollback, pool reset and close.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any


class WriteLockTimeout(Exception):
    """The lock was not granted within the timeout (like SQLite's ``database is locked``)."""


@dataclass(eq=False)
class _Waiter:
    owner: object
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]


class WriteLock:
    """A FIFO lock that any event loop of the process can await; owners are DBAPI connections."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owner: object | None = None
        self._owner_loop: asyncio.AbstractEventLoop | None = None
        self._waiters: deque[_Waiter] = deque()

    @property
    def owner(self) -> object | None:
        return self._owner

    def waiting(self) -> int:
        with self._mutex:
            return len(self._waiters)

    async def acquire(self, owner: object, *, within: float) -> None:
        """Wait until ``owner`` holds the lock (at once if it already does)."""
        loop = asyncio.get_running_loop()
        with self._mutex:
            if self._owner is None or self._owner is owner or _gone(self._owner_loop):
                # (an owner whose event loop is closed can never commit: its turn is over)
                self._owner, self._owner_loop = owner, loop
                return
            waiter = _Waiter(owner, loop, loop.create_future())
            self._waiters.append(waiter)
        deadline = loop.time() + within
        try:
            while not waiter.future.done():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise TimeoutError
                await asyncio.wait({waiter.future}, timeout=min(1.0, remaining))
                with self._mutex:  # an owner whose event loop is closed can never commit
                    stale = self._owner if _gone(self._owner_loop) else None
                if stale is not None:
                    self.release(stale)
        except BaseException as exc:
            with self._mutex:
                granted = self._owner is owner  # perhaps while we were cancelled / timing out
                if not granted and waiter in self._waiters:
                    self._waiters.remove(waiter)
            if isinstance(exc, TimeoutError):
                if granted:
                    return
                raise WriteLockTimeout(
                    f"database is locked: another unit of work of this process held the "
                    f"write lock for more than {within:.0f} s"
                ) from None
            if granted:
                self.release(owner)
            raise

    def release(self, owner: object) -> bool:
        """Give the lock to the next waiter; False (no-op) when ``owner`` does not hold it."""
        with self._mutex:
            if owner is None or self._owner is not owner:
                return False
            self._owner = self._owner_loop = None
            while self._waiters:
                waiter = self._waiters.popleft()
                try:
                    waiter.loop.call_soon_threadsafe(_grant, waiter.future)
                except RuntimeError:  # its event loop is closed: nobody waits there any more
                    continue
                self._owner, self._owner_loop = waiter.owner, waiter.loop
                break
            return True


def _gone(loop: asyncio.AbstractEventLoop | None) -> bool:
    return loop is not None and loop.is_closed()


def _grant(future: asyncio.Future[None]) -> None:
    # A cancelled or timed-out waiter sees itself as owner under the mutex and releases.
    if not future.done():
        future.set_result(None)


_locks: dict[str, WriteLock] = {}
_locks_mutex = threading.Lock()


def for_database(key: str) -> WriteLock:
    """The process's lock of one database file (engines on the same file share it)."""
    with _locks_mutex:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = WriteLock()
        return lock


def owner_of(connection: Any) -> object:
    """The DBAPI connection behind a pool proxy (the lock's owner key)."""
    return getattr(connection, "dbapi_connection", None) or connection
