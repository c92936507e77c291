"""How worker threads run jobs: one event loop and one pooled database handle per Huey worker
thread (SQLite inline on it), a fresh loop and an unpooled handle anywhere else."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from siyu.core.settings import get_settings
from siyu.db import migrate
from siyu.db.session import Database
from siyu.messaging import queue as app


def _in_thread(fn: Any) -> Any:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # re-raised in the test's thread
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    if "error" in out:
        raise out["error"]
    return out["value"]


async def _probe(db: Database) -> tuple[int, str, bool]:
    async with db.read() as s:
        one = int(await s.scalar(text("SELECT 1")) or 0)
    return one, db.url, db.engine.pool.__class__.__name__ != "NullPool"


@pytest.mark.sqlite_only("switches SIYU_DATABASE_URL between two SQLite files of its own")
def test_a_worker_thread_keeps_its_loop_and_follows_a_new_database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    for url in (first, second):
        migrate.upgrade(url)

    def worker_thread() -> list[Any]:
        app._keep_a_loop()  # what Huey's start-up hook does in each worker thread
        try:
            seen = []
            for url in (first, first, second):
                monkeypatch.setenv("SIYU_DATABASE_URL", url)
                get_settings.cache_clear()
                seen.append((app.run_async(_probe), id(app._local.db)))
            return seen
        finally:
            app._close_the_loop()

    try:
        (a1, id1), (a2, id2), (b, id3) = _in_thread(worker_thread)
        assert a1 == a2 == (1, first, True)  # pooled, and the same handle for both jobs
        assert id1 == id2 != id3
        assert b == (1, second, True)  # a changed URL gets a handle of its own

        monkeypatch.setenv("SIYU_DATABASE_URL", first)
        get_settings.cache_clear()
        # a thread that is not a Huey worker: a fresh loop per job, an unpooled handle
        assert _in_thread(lambda: app.run_async(_probe)) == (1, first, False)
    finally:
        get_settings.cache_clear()
