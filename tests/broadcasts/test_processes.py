"""The broadcast path through separate `siyu serve` and `siyu worker` processes, with the
queue on SQLite and on a real Redis."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from siyu.core.serving import free_port
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import spawn, up


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "redis":
        url: str = request.getfixturevalue("redis_url")
        import redis

        redis.Redis.from_url(url).flushall()
        return url
    return f"sqlite:///{tmp_path / 'queue.db'}"


def test_broadcast_through_worker_processes(
    queue_url: str,
    tmp_path: Path,
    sb: Sandbox,
    corp: CorpHandle,
    db: Database,
    procs: list[subprocess.Popen[bytes]],
) -> None:
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": True, "cap_rule": "off"})
    env = {"SIYU_QUEUE_URL": queue_url, "SIYU_PORT": str(free_port())}
    url = f"http://127.0.0.1:{env['SIYU_PORT']}"
    procs.append(spawn("serve", "--workers", "0", env=env, log=tmp_path / "serve.log"))
    for i in range(2):  # two worker processes share the queue
        procs.append(spawn("worker", "--workers", "2", env=env, log=tmp_path / f"w{i}.log"))
    wait_for(lambda: up(f"{url}/healthz"), timeout=120, what="siyu serve")
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {corp.api_key}"})
    total = api.get("/api/v1/customers/count").json()["count"]
    r = api.post("/api/v1/broadcasts", json={"name": "进程群发", "text": "新品上市，欢迎咨询"})
    assert r.status_code == 201, r.text
    bid = r.json()["id"]

    def state() -> dict[str, int] | None:
        detail = api.get(f"/api/v1/broadcasts/{bid}").json()
        if detail["status"] == "submitted" and detail["counts"].get("sent") != total:
            api.post(f"/api/v1/broadcasts/{bid}/sync")
            time.sleep(1)  # one queued sync at a time, not one per poll
            detail = api.get(f"/api/v1/broadcasts/{bid}").json()
        if detail["status"] == "submitted" and detail["counts"].get("sent") == total:
            return dict(detail["counts"])
        return None

    assert wait_for(state, timeout=90, what="sent through the worker processes") == {"sent": total}
    assert sb.get("/sandbox/groupmsg/targets")["histogram"] == {"1": total}
    api.close()
