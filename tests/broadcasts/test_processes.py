"""The broadcast path through separate `siyu serve` and `siyu worker` processes, with the
queue on SQLite and on a real Redis."""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import pytest

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import serve_api


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The queue runs beside the database, whichever it is: each queue is tested once, the
    Redis queue with PostgreSQL (the production pairing), the SQLite queue with SQLite."""
    if (request.param == "redis") != (request.config.getoption("--db") == "postgres"):
        pytest.skip(f"the {request.param} queue runs in the other database's pass")
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
    served = serve_api(procs, tmp_path, corp, timeout=5, SIYU_QUEUE_URL=queue_url)
    api = served.api
    for i in range(2):  # two worker processes share the queue
        served.worker(f"w{i}.log", threads=2)
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
