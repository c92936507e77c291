"""Fault test: SIGKILL the worker process in the middle of submitting a broadcast to 2,000
customers over 50 employees, restart it: every recipient is targeted exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from siyu.broadcasts.models import BroadcastSender
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import serve_api

CUSTOMERS = 2_000  # 50 jobs of ~40 recipients: the kill lands between the 5th and the 50th


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(employees=50, customers=CUSTOMERS, seed=11, callback_backoff=0.05)


def _jobs(db: Database) -> dict[str, int]:
    async def counts() -> dict[str, int]:
        async with db.unit_of_work() as s:
            rows = await s.execute(
                select(BroadcastSender.status, func.count()).group_by(BroadcastSender.status)
            )
            return {str(k): int(v) for k, v in rows.all()}

    return asyncio.run(counts())


def test_sigkill_while_submitting_targets_everyone_exactly_once(
    tmp_path: Path,
    sb: Sandbox,
    corp: CorpHandle,
    db: Database,
    procs: list[subprocess.Popen[bytes]],
) -> None:
    asyncio.run(full_sync(db, corp))
    # the sandbox creates each message, then answers 0.8 s later: the window a crash can hit
    sb.put("/sandbox/groupmsg/config", {"reply_delay_ms": 800})
    served = serve_api(procs, tmp_path, corp, timeout=30, SIYU_BROADCAST_LEASE_SECONDS="3")
    api = served.api
    total = api.get("/api/v1/customers/count").json()["count"]
    assert total == CUSTOMERS
    r = api.post("/api/v1/broadcasts", json={"name": "崩溃测试", "text": "周年庆，到店有礼"})
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    worker = served.worker("w1.log")

    def in_the_window() -> bool:
        """A message exists in WeCom whose job Siyu has not recorded as submitted yet."""
        jobs = _jobs(db)
        made = len(sb.get("/sandbox/groupmsg/messages"))
        return jobs.get("in_flight") == 1 and made >= 5 and made == jobs.get("submitted", 0) + 1

    wait_for(in_the_window, timeout=120, what="the middle of submitting")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    before = _jobs(db)
    assert before.get("in_flight") == 1 and before.get("planned", 0) > 0

    # The window is proven; the restarted worker needs no slow replies to show it recovers.
    sb.put("/sandbox/groupmsg/config", {"reply_delay_ms": 0})
    served.worker("w2.log")
    wait_for(
        lambda: api.get(f"/api/v1/broadcasts/{bid}").json()["status"] == "submitted",
        timeout=180,
        what="the restarted worker to resume (minute tick + lease)",
    )
    detail = api.get(f"/api/v1/broadcasts/{bid}").json()
    assert detail["total"] == total and detail["counts"] == {"submitted": total}
    assert len(detail["jobs"]) == 50 and {j["status"] for j in detail["jobs"]} == {"submitted"}
    assert sum(j["reconciled"] for j in detail["jobs"]) == 1  # adopted, not resent
    targets = sb.get("/sandbox/groupmsg/targets")
    assert targets["messages"] == 50
    assert targets["customers"] == total and targets["histogram"] == {"1": total}
    api.close()
