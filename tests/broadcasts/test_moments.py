"""Moment broadcasts (朋友圈): API end to end, and the reconcile of a task left in flight."""

from __future__ import annotations

import asyncio
import time

import httpx

from siyu.broadcasts import ledger
from siyu.broadcasts import repository as repo
from siyu.broadcasts.models import Broadcast
from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.wecom import moment_api
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for


def test_moment_broadcast(api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database) -> None:
    asyncio.run(full_sync(db, corp))
    userids = [e["userid"] for e in sb.get("/sandbox/employees")[:2]]
    tag = api.get("/api/v1/tags/groups").json()[0]["tags"][0]["tag_id"]
    audience = {"kind": "moment", "userids": [*userids, "nobody"], "visible_tag_ids": [tag, "x"]}
    preview = api.post("/api/v1/broadcasts/preview", json=audience).json()
    assert preview["jobs"] == 1 and preview["total"] == 0
    r = api.post(
        "/api/v1/broadcasts", json={"name": "新品朋友圈", "text": "秋冬新品", "audience": audience}
    )
    assert r.status_code == 201, r.text
    bid = r.json()["id"]

    def published() -> dict[str, object] | None:
        api.post(f"/api/v1/broadcasts/{bid}/sync")
        time.sleep(0.3)
        jobs = api.get(f"/api/v1/broadcasts/{bid}").json()["jobs"]
        return jobs[0] if jobs and (jobs[0].get("result") or {}).get("moment_id") else None

    job = wait_for(published, timeout=60, what="the moment task result")
    assert job["status"] == "submitted" and job["task_status"] == 3
    assert job["result"]["invalid_senders"] == ["nobody"]
    assert job["result"]["invalid_tags"] == ["x"]
    (task,) = sb.get("/sandbox/moments")
    assert task["senders"] == userids and task["tags"] == [tag]
    assert task["moment_id"] == job["result"]["moment_id"]
    assert api.post(f"/api/v1/broadcasts/{bid}/remind").status_code == 422


def test_moment_left_in_flight_is_adopted_not_resent(
    db: Database, sb: Sandbox, corp: CorpHandle
) -> None:
    async def body() -> None:
        async with db.unit_of_work() as s:
            c = await corps.get(s, corp.id)
            b = Broadcast(corp_id=corp.id, name="x", status="planning", text="只发一次", counts={})
            b.kind, b.audience, b.attachments = "moment", {"kind": "moment"}, []
            s.add(b)
            await s.flush()
            await ledger.plan(s, b, tz=c.timezone)
            (job,) = await repo.jobs(s, corp.id, b.id)
            job.status, job.in_flight_since, job.attempts = "in_flight", utcnow(), 1
            bid = b.id
        key = get_settings().secret_key.get_secret_value()
        async with corps.wecom_client(c, secret_key=key) as client:
            # the worker's call reached WeCom, then the worker died before recording the jobid
            await moment_api.add_moment_task(
                client, text="只发一次", attachments=[], senders=[], tag_ids=[]
            )
            assert await ledger.run(db, corp.id, bid, client, tz=c.timezone) == "submitted"
        async with db.unit_of_work() as s:
            (job,) = await repo.jobs(s, corp.id, bid)
            assert job.reconciled and job.attempts == 1 and job.result

    asyncio.run(body())
    assert len(sb.get("/sandbox/moments")) == 1
