"""Fault test: a rule tag matches thousands of customers; SIGKILL the worker process in the
middle of writing the tag to WeCom, restart it: every follow relation gets the tag exactly once
(no write lost, none sent again after it succeeded) and the rule tag's counts add up."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from siyu.core.serving import free_port
from siyu.customers.models import FollowRelation, RelationTag
from siyu.db.engine import sync_url
from siyu.db.session import Database
from siyu.tags.models import BatchTagItem
from siyu.wecom.sandbox import SandboxConfig
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import spawn, up

MARK_TAG = "externalcontact/mark_tag"


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(employees=20, customers=3_000, seed=23, callback_backoff=0.05)


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


def _live_relations(db: Database, corp_id: int, tag_id: str) -> tuple[int, int]:
    """(live follow relations, those carrying ``tag_id`` in Siyu's mirror)."""

    async def count() -> tuple[int, int]:
        async with db.unit_of_work() as s:
            live = FollowRelation.corp_id == corp_id, FollowRelation.deleted_at.is_(None)
            total = await s.scalar(select(func.count()).select_from(FollowRelation).where(*live))
            tagged = await s.scalar(
                select(func.count())
                .select_from(RelationTag)
                .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
                .where(*live, RelationTag.tag_id == tag_id)
            )
            return int(total or 0), int(tagged or 0)

    return asyncio.run(count())


def _mark_tag_calls(sb: Sandbox) -> int:
    return int(sb.get("/sandbox/stats").get(MARK_TAG, 0))


def test_sigkill_while_writing_rule_tags_tags_every_relation_exactly_once(
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
        "SIYU_RULE_TAG_LEASE_SECONDS": "3",
    }
    url = f"http://127.0.0.1:{env['SIYU_PORT']}"
    procs.append(spawn("serve", "--workers", "0", env=env, log=tmp_path / "serve.log"))
    wait_for(lambda: up(f"{url}/healthz"), timeout=120, what="siyu serve")
    api = httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {corp.api_key}"}, timeout=60
    )
    r = api.post("/api/v1/tags/groups", json={"name": "自动标签", "tags": ["全体活跃客户"]})
    assert r.status_code == 201, r.text
    tag_id = r.json()["tags"][0]["tag_id"]
    customers = api.get("/api/v1/customers/count").json()["count"]
    relations, tagged = _live_relations(db, corp.id, tag_id)
    assert customers == 3_000 and relations >= customers and tagged == 0

    # Each WeCom call takes 5 ms more: the worker is mid-chunk most of the time.
    sb.put("/sandbox/faults", {"latency_ms": 5})
    sb.http.delete("/sandbox/stats")
    rule = {"type": "deleted", "value": False}  # every live customer
    r = api.post("/api/v1/rule-tags", json={"name": "全员", "rule": rule, "tag_id": tag_id})
    assert r.status_code == 201, r.text
    rule_id = r.json()["id"]
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
    landed, _ = _sandbox_tags(api, sb, tag_id)  # writes WeCom applied before the kill
    assert before.get("sending", 0) > 0 and landed > before.get("done", 0)  # some in flight
    assert landed < relations  # the kill came before the end
    assert calls - landed in (0, 1)  # at most the one request cut off by the kill

    sb.put("/sandbox/faults", {"latency_ms": 0})
    procs.append(spawn("worker", "--workers", "1", env=env, log=tmp_path / "w2.log"))

    def finished() -> dict[str, Any] | None:
        counts = api.get(f"/api/v1/rule-tags/{rule_id}").json()["counts"]
        return counts if counts["pending"] == 0 and counts["applied"] > 0 else None

    counts = wait_for(finished, timeout=240, what="the restarted worker to finish (minute tick)")
    assert counts == {
        "matched": customers,
        "applied": relations,
        "removed": 0,
        "pending": 0,
        "failed": 0,
        "failures": [],
    }
    assert _items(db) == {"done": relations}
    # The restarted worker sent exactly the writes that had not landed: none twice.
    assert _mark_tag_calls(sb) - calls == relations - landed
    assert _live_relations(db, corp.id, tag_id) == (relations, relations)
    assert _sandbox_tags(api, sb, tag_id) == (relations, [])  # WeCom's own state
    api.close()


def _sandbox_tags(api: httpx.Client, sb: Sandbox, tag_id: str) -> tuple[int, list[Any]]:
    """In WeCom (the sandbox): how many follow relations carry the tag, and which lack it."""
    tagged, untagged = 0, []
    for page in _sandbox_customers(api):
        for c in page:
            truth = sb.get(f"/sandbox/customers/{c['external_userid']}")
            for f in truth["follows"]:
                if tag_id in {t["tag_id"] for t in f.get("tags", [])}:
                    tagged += 1
                else:
                    untagged.append((c["external_userid"], f["userid"]))
    return tagged, untagged


def _sandbox_customers(api: httpx.Client) -> Iterator[list[dict[str, Any]]]:
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/api/v1/customers", params=params).json()
        yield body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return
