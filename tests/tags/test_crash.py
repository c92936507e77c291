"""Fault test: ``POST /tags/batch`` over a thousand customers' follow relations; SIGKILL the
worker in the middle of writing to WeCom, start a new one: the per-minute scan resumes the job once its
lease expired, every relation gets the tag exactly once (no write lost, none sent again after
it succeeded) and the job ends ``done`` with its counts and one resume."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import serve_api
from tests.support.tag_writes import (
    in_the_window,
    items,
    live_relations,
    mark_tag_calls,
    tag_per_relation,
)

CUSTOMERS = 1_000  # ≈1,200 relations: the kill comes after 300 of them (15 chunks of 20)


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(employees=20, customers=CUSTOMERS, seed=29, callback_backoff=0.05)


def test_sigkill_mid_batch_tag_job_resumes_and_writes_every_relation_once(
    tmp_path: Path,
    sb: Sandbox,
    corp: CorpHandle,
    db: Database,
    procs: list[subprocess.Popen[bytes]],
) -> None:
    asyncio.run(full_sync(db, corp))
    served = serve_api(procs, tmp_path, corp, SIYU_BATCH_TAG_LEASE_SECONDS="3")
    api = served.api
    tag_id = served.create_tag("活动", "年终回馈")
    relations, tagged = live_relations(db, corp.id, tag_id)
    assert relations >= CUSTOMERS and tagged == 0

    # Each WeCom call takes 5 ms more: the worker is mid-chunk most of the time.
    sb.put("/sandbox/faults", {"latency_ms": 5})
    sb.http.delete("/sandbox/stats")
    r = api.post("/api/v1/tags/batch", json={"add": [tag_id], "filter": {}})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["total"] == relations and job["status"] == "pending" and job["resumed"] == 0
    worker = served.worker("w1.log")

    wait_for(lambda: in_the_window(db, sb), timeout=180, what="the middle of writing the tags")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    before = items(db)
    calls = mark_tag_calls(sb)
    landed = sum(tag_per_relation(api, sb, tag_id).values())  # applied before the kill
    assert before.get("sending", 0) > 0 and landed > before.get("done", 0)  # some in flight
    assert landed < relations  # the kill came before the end
    assert calls - landed in (0, 1)  # at most the one request cut off by the kill
    progress = api.get(f"/api/v1/tags/batch/{job['id']}").json()
    assert progress["status"] == "running" and 0 < progress["done"] < relations

    sb.put("/sandbox/faults", {"latency_ms": 0})
    served.worker("w2.log")

    def finished() -> dict[str, Any] | None:
        body = api.get(f"/api/v1/tags/batch/{job['id']}").json()
        return body if body["status"] not in ("pending", "running") else None

    final = wait_for(finished, timeout=240, what="the restarted worker to resume (minute scan)")
    assert (final["status"], final["done"], final["failed"], final["total"]) == (
        "done",
        relations,
        0,
        relations,
    )
    assert final["resumed"] == 1 and final["errors"] == [] and final["cancelled"] == 0
    assert items(db) == {"done": relations}
    # The new worker sent exactly the writes that had not landed: none twice, none lost.
    assert mark_tag_calls(sb) - calls == relations - landed
    per_relation = tag_per_relation(api, sb, tag_id)
    assert len(per_relation) == relations and set(per_relation.values()) == {1}
    assert live_relations(db, corp.id, tag_id) == (relations, relations)
    api.close()
