"""The corp indexes of this process: built for every corp when the process starts (in a
background thread), or on a corp's first request; caught up with the change log on every read.

A build in progress is shared: a request that finds its corp's index being built (at startup or
by another request) waits for that build instead of starting a second one, then catches it up
with the change log like any other read, so an answer never comes from a half-built index nor
misses a change committed before the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.segments.engine import REBUILD_IDLE_S, build, catch_up
from siyu.segments.index import CorpIndex

log = logging.getLogger(__name__)
Key = tuple[str, int]
Trigger = Literal["startup", "request", "rebuild"]


@dataclass
class BuildState:
    """What this process knows of one corp's index build."""

    state: Literal["building", "built", "failed"]
    trigger: Trigger
    started_at: datetime
    built_at: datetime | None = None
    build_ms: float | None = None
    error: str | None = None


def _key(session: AsyncSession, corp_id: int) -> Key:
    return (str(session.get_bind().engine.url), corp_id)


class Registry:
    """The corp indexes of this process, keyed by database and corp (and the corp's creation
    time, so a corp re-created under a reused id never sees a stale index)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: dict[Key, tuple[str, CorpIndex]] = {}
        self._building: dict[Key, Future[CorpIndex]] = {}
        self._states: dict[Key, BuildState] = {}

    async def get(self, session: AsyncSession, corp: Corp) -> CorpIndex:
        """The corp's index, built on first use (or waited for) and caught up with the log."""
        key, stamp = _key(session, corp.id), corp.created_at.isoformat()
        while True:
            with self._lock:
                found = self._indexes.get(key)
                pending = self._building.get(key)
            if pending is not None:
                # works across threads and event loops; a failed build is built again below
                with contextlib.suppress(Exception):
                    await asyncio.wrap_future(pending)
                continue
            if found is not None and found[0] == stamp:
                index = found[1]
                fresh = time.monotonic() - index.caught_up_at <= REBUILD_IDLE_S
                if fresh and await catch_up(session, corp.id, index) >= 0:
                    return index
                trigger: Trigger = "rebuild"
            else:
                trigger = "request"
            built = await self._build(session, corp, trigger)
            if built is not None:
                return built

    async def _build(self, session: AsyncSession, corp: Corp, trigger: Trigger) -> CorpIndex | None:
        """Build the corp's index unless another build of it is under way (then ``None``)."""
        key, stamp = _key(session, corp.id), corp.created_at.isoformat()
        fut: Future[CorpIndex] = Future()
        with self._lock:
            if key in self._building:
                return None
            self._building[key] = fut
            self._states[key] = BuildState("building", trigger, utcnow())
        started = time.perf_counter()
        try:
            index = await build(session, corp)
        except BaseException as exc:
            with self._lock:
                del self._building[key]
                state = self._states[key]
                state.state, state.error = "failed", f"{type(exc).__name__}: {exc}"[:300]
            fut.set_exception(exc)
            raise
        took = (time.perf_counter() - started) * 1000
        with self._lock:
            self._indexes[key] = (stamp, index)
            del self._building[key]
            state = self._states[key]
            state.state, state.built_at, state.build_ms = "built", utcnow(), round(took, 1)
        fut.set_result(index)
        log.info(
            "segment index of corp %s built (%s): %d customers, %d bitmaps, %.1f MB, %.0f ms",
            corp.id,
            trigger,
            len(index.universe),
            index.bitmap_count(),
            index.memory_bytes() / 1e6,
            took,
        )
        return index

    async def warm(self, db: Database, stop: threading.Event | None = None) -> int:
        """Build the index of every corp that has none yet; returns how many were built."""
        # read sessions: a build reads for seconds and must not hold SQLite's write lock
        async with db.read() as s:
            ids = [c.id for c in await corps.list_corps(s)]
        built = 0
        for corp_id in ids:
            if stop is not None and stop.is_set():
                break
            async with db.read() as s:
                corp = await corps.get(s, corp_id)
                key = _key(s, corp_id)
                with self._lock:
                    found = self._indexes.get(key)
                if found is not None and found[0] == corp.created_at.isoformat():
                    continue
                try:
                    if await self._build(s, corp, "startup") is not None:
                        built += 1
                except Exception:
                    log.exception("building the segment index of corp %s failed", corp_id)
        return built

    def status(self, session: AsyncSession, corp: Corp) -> dict[str, object]:
        """This process's index of the corp: build state, size, change log position."""
        key, stamp = _key(session, corp.id), corp.created_at.isoformat()
        with self._lock:
            found = self._indexes.get(key)
            state = self._states.get(key)
        index = found[1] if found is not None and found[0] == stamp else None
        out: dict[str, object] = {"pid": os.getpid(), "state": "not_built"}
        if state is not None:
            out.update(
                state=state.state,
                trigger=state.trigger,
                started_at=state.started_at,
                built_at=state.built_at,
                build_ms=state.build_ms,
                error=state.error,
            )
        if index is not None:
            if state is None or state.state != "building":
                out["state"] = "built"
            out.update(
                customers=len(index.universe),
                live_customers=len(index.live),
                bitmaps=index.bitmap_count(),
                memory_bytes=index.memory_bytes(),
                last_change_id=index.last_change_id,
                caught_up_s_ago=round(time.monotonic() - index.caught_up_at, 3),
            )
        elif out["state"] == "built":
            out["state"] = "not_built"  # built for a corp since re-created under this id
        return out

    def drop(self) -> None:
        with self._lock:
            self._indexes.clear()
            self._states.clear()


REGISTRY = Registry()

# -- warming at process start ------------------------------------------------------------------

_warmers: dict[str, Warmer] = {}
_warmers_lock = threading.Lock()


class Warmer:
    """A background thread building every corp's index of one database (its own event loop and
    connections, so it never blocks the process's requests or health checks)."""

    def __init__(self, url: str, registry: Registry) -> None:
        self.url, self.registry = url, registry
        self.stop_flag = threading.Event()
        self.built = 0
        self.thread = threading.Thread(target=self._run, name="segments-warm", daemon=True)

    def _run(self) -> None:
        async def main() -> int:
            db = Database.open(self.url, pooled=False)
            try:
                return await self.registry.warm(db, self.stop_flag)
            finally:
                await db.dispose()

        try:
            self.built = asyncio.run(main())
        except Exception:
            log.exception("warming the segment indexes failed")

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the corp being built; wait for it (at most ``timeout`` seconds)."""
        self.stop_flag.set()
        self.thread.join(timeout)


def start_warming(url: str, registry: Registry = REGISTRY) -> Warmer:
    """Start building every corp's index of ``url`` in the background, unless this process is
    doing so already."""
    with _warmers_lock:
        running = _warmers.get(url)
        if running is not None and running.thread.is_alive():
            return running
        warmer = _warmers[url] = Warmer(url, registry)
        warmer.thread.start()
        return warmer
