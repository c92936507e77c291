"""Segment indexes of separate `siyu serve` and `siyu worker` processes: every corp's index is
built when the process starts, in the background."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import httpx

from siyu.core.serving import free_port
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import spawn, up


def test_indexes_are_built_when_processes_start(
    tmp_path: Path,
    sb: Sandbox,
    corp: CorpHandle,
    db: Database,
    procs: list[subprocess.Popen[bytes]],
) -> None:
    asyncio.run(full_sync(db, corp))
    env = {"SIYU_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}", "SIYU_PORT": str(free_port())}
    url = f"http://127.0.0.1:{env['SIYU_PORT']}"
    procs.append(spawn("serve", "--workers", "0", env=env, log=tmp_path / "serve.log"))
    wait_for(lambda: up(f"{url}/healthz"), timeout=120, what="siyu serve")
    api = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {corp.api_key}"}, timeout=30
    )

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
    log = tmp_path / "worker.log"
    procs.append(spawn("worker", "--workers", "1", env=env, log=log))
    wait_for(
        lambda: f"segment index of corp {corp.id} built (startup): {total}" in log.read_text(),
        timeout=60,
        what="the worker's startup build",
    )
    api.close()
