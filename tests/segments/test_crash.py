"""Fault test: a rule tag matches a thousand customers; SIGKILL the worker process in the
middle of writing the tag to WeCom, restart it: every follow relation gets the tag exactly once
(no write lost, none sent again after it succeeded) and the rule tag's counts add up."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for
from tests.support.processes import serve_api
from tests.support.tag_writes import (
    customer_pages,
    in_the_window,
    items,
    live_relations,
    mark_tag_calls,
)

CUSTOMERS = 1_000  # more than one 900-id IN list; the kill comes after 300 relations (15 chunks)


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(employees=20, customers=CUSTOMERS, seed=23, callback_backoff=0.05)


def test_sigkill_while_writing_rule_tags_tags_every_relation_exactly_once(
    tmp_path: Path,
    sb: Sandbox,
    corp: CorpHandle,
    db: Database,
    procs: list[subprocess.Popen[bytes]],
) -> None:
    asyncio.run(full_sync(db, corp))
    served = serve_api(procs, tmp_path, corp, SIYU_RULE_TAG_LEASE_SECONDS="3")
    api = served.api
    tag_id = served.create_tag("自动标签", "全体活跃客户")
    customers = api.get("/api/v1/customers/count").json()["count"]
    relations, tagged = live_relations(db, corp.id, tag_id)
    assert customers == CUSTOMERS and relations >= customers and tagged == 0

    # Each WeCom call takes 5 ms more: the worker is mid-chunk most of the time.
    sb.put("/sandbox/faults", {"latency_ms": 5})
    sb.http.delete("/sandbox/stats")
    rule = {"type": "deleted", "value": False}  # every live customer
    r = api.post("/api/v1/rule-tags", json={"name": "全员", "rule": rule, "tag_id": tag_id})
    assert r.status_code == 201, r.text
    rule_id = r.json()["id"]
    worker = served.worker("w1.log")

    wait_for(lambda: in_the_window(db, sb), timeout=180, what="the middle of writing the tags")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    before = items(db)
    calls = mark_tag_calls(sb)
    landed, _ = _sandbox_tags(api, sb, tag_id)  # writes WeCom applied before the kill
    assert before.get("sending", 0) > 0 and landed > before.get("done", 0)  # some in flight
    assert landed < relations  # the kill came before the end
    assert calls - landed in (0, 1)  # at most the one request cut off by the kill

    sb.put("/sandbox/faults", {"latency_ms": 0})
    served.worker("w2.log")

    def finished() -> dict[str, Any] | None:
        counts = api.get(f"/api/v1/rule-tags/{rule_id}").json()["counts"]
        return counts if counts["pending"] == 0 and counts["applied"] > 0 else None

    counts = wait_for(finished, timeout=240, what="the restarted worker to finish (minute tick)")
    assert counts == {
        "matched": customers,
        "tagged": customers,  # every matched customer carries the tag now
        "tagged_unmatched": 0,
        "rule_error": None,
        "applied": relations,
        "removed": 0,
        "pending": 0,
        "failed": 0,
        "failures": [],
    }
    assert items(db) == {"done": relations}
    # The restarted worker sent exactly the writes that had not landed: none twice.
    assert mark_tag_calls(sb) - calls == relations - landed
    assert live_relations(db, corp.id, tag_id) == (relations, relations)
    assert _sandbox_tags(api, sb, tag_id) == (relations, [])  # WeCom's own state
    api.close()


def _sandbox_tags(api: httpx.Client, sb: Sandbox, tag_id: str) -> tuple[int, list[Any]]:
    """In WeCom (the sandbox): how many follow relations carry the tag, and which lack it."""
    tagged, untagged = 0, []
    for page in customer_pages(api):
        for c in page:
            truth = sb.get(f"/sandbox/customers/{c['external_userid']}")
            for f in truth["follows"]:
                if tag_id in {t["tag_id"] for t in f.get("tags", [])}:
                    tagged += 1
                else:
                    untagged.append((c["external_userid"], f["userid"]))
    return tagged, untagged
