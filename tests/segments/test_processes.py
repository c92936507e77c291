"""Segment indexes of separate `siyu serve` and `siyu worker` processes: every corp's index is
built when the process starts, in the background."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import serve_api


def test_indexes_are_built_when_processes_start(
    tmp_path: Path,
    sb: Sandbox,
    corp: CorpHandle,
    db: Database,
    procs: list[subprocess.Popen[bytes]],
) -> None:
    asyncio.run(full_sync(db, corp))
    served = serve_api(procs, tmp_path, corp, timeout=30)
    api = served.api

    def status() -> dict[str, Any]:
        r = api.get("/api/v1/segments/index")
        assert r.status_code == 200, r.text
        return dict(r.json())

    # No segment request was made: the process built the index on its own.
    built = wait_for(
        lambda: (st := status())["state"] == "built" and st,
        timeout=60,
        what="the index built at startup",
    )
    total = api.get("/api/v1/customers/count").json()["count"]
    assert built["trigger"] == "startup" and built["live_customers"] == total > 0
    assert built["bitmaps"] > 2 and built["memory_bytes"] > 0 and built["build_ms"] >= 0
    r = api.post("/api/v1/segments/preview", json={"rule": {"type": "deleted", "value": False}})
    assert r.status_code == 200 and r.json()["count"] == total
    after = status()
    assert after["trigger"] == "startup" and after["built_at"] == built["built_at"]  # reused

    # A worker process builds its own at startup too (it has no HTTP: its log says so).
    served.worker("worker.log")
    log = tmp_path / "worker.log"
    wait_for(
        lambda: f"segment index of corp {corp.id} built (startup): {total}" in log.read_text(),
        timeout=60,
        what="the worker's startup build",
    )
    api.close()
