"""The demo looks like a company: its data is coherent, read through the API as an operator
reads it. The world is the demo's (seed 1, its channel codes' states), smaller (1,000
customers), prepared as `siyu demo` prepares it: sync, stages, then the REST seeding."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from siyu.cli.demo_fixups import assign_stages
from siyu.cli.demo_seed import (
    CHANNELS,
    REPEAT_LEVELS,
    REPEAT_STAGE,
    RULE_TAG,
    RULE_TAG_TAG,
    SEGMENT_HOT,
    STAGE_OF,
    seed,
)
from siyu.core.settings import get_settings
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig
from siyu.wecom.sandbox.seed import INTENT
from tests.conftest import CorpHandle, Sandbox, wait_for

CUSTOMERS = 1000


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """The demo's world (`siyu demo`: seed 1, 30 employees), with fewer customers."""
    return SandboxConfig(
        seed=1,
        employees=30,
        customers=CUSTOMERS,
        channels={state: source for state, (_, _, _, source) in CHANNELS.items()},
        callback_backoff=0.05,
    )


def _get(api: httpx.Client, path: str, **params: Any) -> Any:
    r = api.get(f"/api/v1{path}", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _customers(api: httpx.Client) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = _get(api, "/customers", limit=500, **({"cursor": cursor} if cursor else {}))
        rows += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return rows


def test_the_demo_data_is_coherent(
    live: CorpHandle, api: httpx.Client, sb: Sandbox, db: Database
) -> None:
    key = get_settings().secret_key.get_secret_value()
    assert asyncio.run(assign_stages(db, live.wecom_corp_id, secret_key=key)) > 0
    seed(api, sandbox_url=sb.url)
    groups = {
        g["name"]: {t["name"]: t["tag_id"] for t in g["tags"]} for g in _get(api, "/tags/groups")
    }
    intents = set(groups["意向"])
    assert intents == set(INTENT) - {""}

    def rule_tag_done() -> dict[str, Any] | None:
        rule = next(r for r in _get(api, "/rule-tags") if r["name"] == RULE_TAG)
        c = rule["counts"]
        return rule if c["pending"] == 0 and c["tagged"] == c["matched"] else None

    # the rule tag's writes first: the customers are read once nothing changes them any more
    rule = wait_for(rule_tag_done, timeout=120, what="the rule tag to tag its customers")
    customers = _customers(api)
    ids = [c["id"] for c in customers]
    assert len(customers) == len(set(ids)) == CUSTOMERS, (len(ids), len(set(ids)))
    names = [{t["name"] for t in c["tags"]} for c in customers]

    # one 意向 tag at most per customer: one level, never 已成交 together with 流失预警
    assert all(len(held & intents) <= 1 for held in names)
    shares = Counter(next(iter(held & intents), "") for held in names)
    for intent, weight in INTENT.items():  # each about its weight (percent), none empty
        assert 0.5 * weight <= 100 * shares[intent] / CUSTOMERS <= 1.5 * weight, shares

    # every stage has customers, and each customer's stage follows their 意向 tag
    stage_counts = {s["name"]: s["customers"] for s in _get(api, "/customer-stages")}
    assert set(stage_counts) == {*STAGE_OF.values(), REPEAT_STAGE}
    assert all(n > 0 for n in stage_counts.values()), stage_counts
    assert max(stage_counts.values()) < 0.4 * CUSTOMERS
    for c, held in zip(customers, names, strict=True):
        intent = next(iter(held & intents), None)
        want = STAGE_OF[intent] if intent else ""
        if intent == "已成交" and held & set(REPEAT_LEVELS):
            want = REPEAT_STAGE
        assert c["stage_name"] == want, (c["name"], held, c["stage_name"])
    # a second start sets nothing again
    assert asyncio.run(assign_stages(db, live.wecom_corp_id, secret_key=key)) == 0

    # the segment 高意向客户 counts the customers who carry the tag: 12 % or so, not a third
    hot = next(s for s in _get(api, "/segments") if s["name"] == SEGMENT_HOT)
    assert _get(api, f"/segments/{hot['id']}/count")["count"] == shares["高意向"]

    # the rule tag matches the live-stream channel's customers and tags exactly them
    live_stream = _get(api, "/customers/count", state="live-stream")["count"]
    assert 0.03 * CUSTOMERS < live_stream < 0.1 * CUSTOMERS
    assert rule["tag_id"] == groups["运营标签"][RULE_TAG_TAG]
    assert rule["counts"]["matched"] == live_stream and rule["counts"]["tagged_unmatched"] == 0
    assert rule["counts"]["failed"] == 0
    tagged = _get(api, "/customers/count", tags_any=rule["tag_id"])["count"]
    assert tagged == live_stream
