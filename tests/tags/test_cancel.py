"""Cancelling batch tag jobs: a running job stops after its chunk with nothing half-written
(WeCom carries exactly the relations counted done); a job not started yet never writes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from siyu.corps import service as corps
from siyu.corps.principal import Principal
from siyu.corps.service import client_for
from siyu.db.session import Database
from siyu.tags import batch, service
from siyu.tags.models import BatchTagItem
from siyu.tags.schemas import BatchTagIn
from siyu.wecom.client import WeComClient
from siyu.wecom.sandbox import SandboxConfig
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.tag_writes import MARK_TAG, items, mark_tag_calls, tag_per_relation


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(employees=10, customers=400, seed=31, callback_backoff=0.05)


def _tag(api: httpx.Client) -> str:
    r = api.post("/api/v1/tags/groups", json={"name": "活动", "tags": ["春节"]})
    assert r.status_code == 201, r.text
    return str(r.json()["tags"][0]["tag_id"])


def test_cancel_a_running_job_stops_after_its_chunk(
    api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox
) -> None:
    asyncio.run(full_sync(db, corp))
    tag = _tag(api)
    sb.put("/sandbox/faults", {"latency_ms": 30})  # slow enough to cancel in the middle
    sb.http.delete("/sandbox/stats")
    job = api.post("/api/v1/tags/batch", json={"add": [tag], "filter": {}}).json()
    total = job["total"]
    assert total >= 400

    def progress() -> dict[str, Any]:
        return dict(api.get(f"/api/v1/tags/batch/{job['id']}").json())

    wait_for(lambda: progress()["done"] >= 40, timeout=120, what="the job under way")
    r = api.post(f"/api/v1/tags/batch/{job['id']}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] in ("cancelling", "cancelled")
    final = wait_for(
        lambda: (p := progress())["status"] == "cancelled" and p, timeout=120, what="the stop"
    )
    sb.put("/sandbox/faults", {"latency_ms": 0})
    assert 40 <= final["done"] < total and final["failed"] == 0
    assert final["done"] + final["cancelled"] == total
    assert items(db) == {"done": final["done"], "cancelled": final["cancelled"]}
    # Nothing half-written: WeCom has the tag on exactly the relations counted done, once.
    per_relation = tag_per_relation(api, sb, tag)
    assert sum(per_relation.values()) == final["done"] == mark_tag_calls(sb)
    tagged = api.get("/api/v1/customers/count", params={"tags_all": [tag]}).json()["count"]
    assert 0 < tagged < 400
    # A finished job cannot be cancelled again; an unknown one is not found.
    r = api.post(f"/api/v1/tags/batch/{job['id']}/cancel")
    assert r.status_code == 409 and "already cancelled" in r.json()["detail"]
    assert api.post("/api/v1/tags/batch/999999/cancel").status_code == 404


def test_cancel_before_the_worker_starts_writes_nothing(
    api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox
) -> None:
    asyncio.run(full_sync(db, corp))
    tag = _tag(api)
    sb.http.delete("/sandbox/stats")

    async def scenario() -> tuple[str, int, int, str]:
        async with db.unit_of_work() as s:  # recorded but not queued: no worker has it
            c = await corps.get(s, corp.id)
            principal = Principal(corp=c, role="admin", name="运营")
            job = await service.create_batch_job(
                s, corp.id, BatchTagIn(add=[tag], filter={}), requested_by="运营"
            )
            job_id = job.id
        async with db.unit_of_work() as s:
            cancelled = await service.cancel_job(s, principal, job_id)
            state = cancelled.status
        client: WeComClient
        async with client_for(c) as client:  # a run queued before the cancel finds it done
            after = await batch.run_job(db, corp.id, job_id, client)
        async with db.unit_of_work() as s:
            left = await s.scalar(
                select(func.count())
                .select_from(BatchTagItem)
                .where(BatchTagItem.job_id == job_id, BatchTagItem.status != "cancelled")
            )
        return state, after.cancelled, int(left or 0), after.status

    state, cancelled, left, after = asyncio.run(scenario())
    assert (state, after, left) == ("cancelled", "cancelled", 0) and cancelled >= 400
    assert int(sb.get("/sandbox/stats").get(MARK_TAG, 0)) == 0
