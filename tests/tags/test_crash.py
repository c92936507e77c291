"""Fault test: ``POST /tags/batch`` over thousands of follow relations; SIGKILL the worker in
the middle of writing to WeCom, start a new one: the per-minute scan resumes the job once its
lease expired, every relation gets the tag exactly once (no write lost, none sent again after
it succeeded) and the job ends ``done`` with its counts and one resume."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from siyu.core.serving import free_port
from siyu.db.engine import sync_url
from siyu.db.session import Database
from siyu.tags.models import BatchTagItem
from siyu.wecom.sandbox import SandboxConfig
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.segments.test_crash import _live_relations, _sandbox_customers
from tests.support.processes import spawn, up

MARK_TAG = "externalcontact/mark_tag"


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(employees=20, customers=2_000, seed=29, callback_backoff=0.05)


def _items(db: Database) -> dict[str, int]:
    """Item counts by status, read without taking SQLite's write lock (Siyu's sessions begin
    IMMEDIATE, which would wait for the worker's chunk to commit and hide the window)."""
    engine = create_engine(sync_url(db.url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(BatchTagItem.status, func.count()).group_by(BatchTagItem.status)
            )
            return {str(k): int(v) for k, v in rows.all()}
    finally:
        engine.dispose()


def _mark_tag_calls(sb: Sandbox) -> int:
    return int(sb.get("/sandbox/stats").get(MARK_TAG, 0))


def _tag_per_relation(api: httpx.Client, sb: Sandbox, tag_id: str) -> dict[tuple[str, str], int]:
    """In WeCom (the sandbox): how many times each follow relation carries the tag."""
    out: dict[tuple[str, str], int] = {}
    for page in _sandbox_customers(api):
        for c in page:
            truth = sb.get(f"/sandbox/customers/{c['external_userid']}")
            for f in truth["follows"]:
                ids = [t["tag_id"] for t in f.get("tags", [])]
                out[(c["external_userid"], f["userid"])] = ids.count(tag_id)
    return out


def test_sigkill_mid_batch_tag_job_resumes_and_writes_every_relation_once(
    tmp_path: Path,
    sb: Sandbox,
    corp: CorpHandle,
    db: Database,
    procs: list[subprocess.Popen[bytes]],
) -> None:
    asyncio.run(full_sync(db, corp))
    env = {
        "SIYU_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        "SIYU_PORT": str(free_port()),
        "SIYU_BATCH_TAG_LEASE_SECONDS": "3",
    }
    url = f"http://127.0.0.1:{env['SIYU_PORT']}"
    procs.append(spawn("serve", "--workers", "0", env=env, log=tmp_path / "serve.log"))
    wait_for(lambda: up(f"{url}/healthz"), timeout=120, what="siyu serve")
    api = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {corp.api_key}"}, timeout=60
    )
    r = api.post("/api/v1/tags/groups", json={"name": "活动", "tags": ["年终回馈"]})
    assert r.status_code == 201, r.text
    tag_id = r.json()["tags"][0]["tag_id"]
    relations, tagged = _live_relations(db, corp.id, tag_id)
    assert relations >= 2_000 and tagged == 0

    # Each WeCom call takes 5 ms more: the worker is mid-chunk most of the time.
    sb.put("/sandbox/faults", {"latency_ms": 5})
    sb.http.delete("/sandbox/stats")
    r = api.post("/api/v1/tags/batch", json={"add": [tag_id], "filter": {}})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["total"] == relations and job["status"] == "pending" and job["resumed"] == 0
    worker = spawn("worker", "--workers", "1", env=env, log=tmp_path / "w1.log")
    procs.append(worker)

    def in_the_window() -> bool:
        """Well into the job, a chunk is in flight: WeCom has taken a few of its writes that
        Siyu has not recorded yet, and most of the chunk is still to go."""
        items = _items(db)
        done, ahead = items.get("done", 0), _mark_tag_calls(sb) - items.get("done", 0)
        return done >= 300 and items.get("sending", 0) > 0 and 3 <= ahead <= 10

    wait_for(in_the_window, timeout=180, what="the middle of writing the tags")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    before = _items(db)
    calls = _mark_tag_calls(sb)
    landed = sum(_tag_per_relation(api, sb, tag_id).values())  # applied before the kill
    assert before.get("sending", 0) > 0 and landed > before.get("done", 0)  # some in flight
    assert landed < relations  # the kill came before the end
    assert calls - landed in (0, 1)  # at most the one request cut off by the kill
    progress = api.get(f"/api/v1/tags/batch/{job['id']}").json()
    assert progress["status"] == "running" and 0 < progress["done"] < relations

    sb.put("/sandbox/faults", {"latency_ms": 0})
    procs.append(spawn("worker", "--workers", "1", env=env, log=tmp_path / "w2.log"))

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
    assert _items(db) == {"done": relations}
    # The new worker sent exactly the writes that had not landed: none twice, none lost.
    assert _mark_tag_calls(sb) - calls == relations - landed
    per_relation = _tag_per_relation(api, sb, tag_id)
    assert len(per_relation) == relations and set(per_relation.values()) == {1}
    assert _live_relations(db, corp.id, tag_id) == (relations, relations)
    api.close()
