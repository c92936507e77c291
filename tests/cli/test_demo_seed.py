"""`siyu demo`'s seed data, created through the REST API against a real sandbox + database."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest

from siyu.cli.demo import _open_radar_link
from siyu.cli.demo_fixups import rehome_channel_codes
from siyu.cli.demo_phrases import FOLDERS as PHRASE_FOLDERS
from siyu.cli.demo_phrases import PHRASES
from siyu.cli.demo_seed import (
    ARTICLE,
    BROADCAST,
    CHANNELS,
    FOLDERS,
    GROUP_BROADCAST,
    ITEMS,
    MOMENT,
    SOP_NAME,
    TASK_NAME,
    seed,
    seed_with_progress,
)
from siyu.cli.demo_sidebar import FIELDS, GROUP_TAGS
from siyu.core.serving import ThreadedServer, free_port
from siyu.core.settings import get_settings
from siyu.db.session import Database
from siyu.wecom.sandbox import create_sandbox_app
from tests.conftest import CorpHandle, Sandbox, events_settled, wait_for


def _everything(api: httpx.Client) -> dict[str, Any]:
    """What the console's pages list."""

    def get(path: str, **params: Any) -> Any:
        r = api.get(f"/api/v1{path}", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    return {
        "channels": sorted(
            (c["state"], c["name"], tuple(c["userids"]))
            for c in get("/acquisition/channels", limit=200)["items"]
        ),
        "folders": sorted(f["name"] for f in get("/content/folders")),
        "items": sorted(
            (i["title"], i["kind"], i["folder"]) for i in get("/content", limit=200)["items"]
        ),
        "segments": sorted(s["name"] for s in get("/segments")),
        "rule_tags": sorted(r["name"] for r in get("/rule-tags")),
        "sops": [(t["name"], t["enabled"]) for t in get("/sop/templates")],
        "tasks": [(t["name"], t["status"]) for t in get("/tasks")["items"]],
        "broadcasts": [b["name"] for b in get("/broadcasts")["items"]],
        "phrase_folders": [f["name"] for f in get("/phrases/folders")],
        "phrases": sorted(
            (p["title"], p["kind"], p["folder"]) for p in get("/phrases", limit=200)["items"]
        ),
        "custom_fields": [f["name"] for f in get("/customer-fields")],
        "group_tags": sorted((t["name"], t["groups"]) for t in get("/group-tags")),
    }


def test_seed_fills_every_page_once_and_attributes_channel_adds(
    live: CorpHandle, api: httpx.Client, sb: Sandbox, db: Database
) -> None:
    report = seed(api, sandbox_url=sb.url)
    assert report.created > 0
    seen = _everything(api)
    assert [s for s, _, _ in seen["channels"]] == sorted(CHANNELS)
    assert all(len(userids) == 3 for _, _, userids in seen["channels"])
    assert seen["folders"] == sorted(FOLDERS)
    assert (ARTICLE, "article", "产品介绍") in seen["items"]
    assert len(seen["items"]) == len(ITEMS) + 1
    assert len(seen["segments"]) == 2 and len(seen["rule_tags"]) == 1
    assert seen["sops"] == [(SOP_NAME, True)]
    assert seen["phrase_folders"] == PHRASE_FOLDERS  # in their order
    assert len(seen["phrases"]) == len(PHRASES) and 15 <= len(PHRASES) <= 25
    assert {k for _, k, _ in seen["phrases"]} == {"text", "link", "miniprogram"}
    assert seen["tasks"] == [(TASK_NAME, "draft")]
    assert sorted(seen["broadcasts"]) == sorted([BROADCAST, GROUP_BROADCAST, MOMENT])
    kinds = {b["name"]: b["kind"] for b in api.get("/api/v1/broadcasts").json()["items"]}
    assert (kinds[GROUP_BROADCAST], kinds[MOMENT]) == ("group", "moment")
    # the sidebars' demo: custom fields, group tags on groups
    assert seen["custom_fields"] == [f["name"] for f in FIELDS]
    assert {n for n, _ in seen["group_tags"]} == set(GROUP_TAGS)
    assert sum(n for _, n in seen["group_tags"]) == 3

    def broadcast_sent() -> bool:
        items = api.get("/api/v1/broadcasts").json()["items"]
        b = next(x for x in items if x["name"] == BROADCAST)
        return b["status"] == "submitted" and b["counts"].get("sent", 0) == b["total"] > 0

    wait_for(broadcast_sent, timeout=60, what="the seeded broadcast's results")

    # every code is a contact way in WeCom; a customer scanning one is attributed to it
    ways = {w["state"]: w for w in sb.get("/sandbox/contact_ways")}
    assert set(ways) == set(CHANNELS)
    scanned = sb.act("scan", config_id=ways["douyin-ad"]["config_id"])
    assert scanned["userid"] in ways["douyin-ad"]["members"]
    events_settled(db)
    r = api.get("/api/v1/acquisition/stats", params={"by": "channel"})
    rows = {row["label"]: row["adds"] for row in r.json()["rows"]}
    assert rows.get(CHANNELS["douyin-ad"][0]) == 1, r.json()
    # ... gets the code's welcome and starts the channel SOP (a to-do for the employee)
    welcomes = sb.get("/sandbox/welcome_messages")
    assert any("感谢关注" in str(w.get("text")) for w in welcomes), welcomes

    def sop_running() -> bool:
        tpl = api.get("/api/v1/sop/templates").json()[0]
        return int(tpl["stats"]["running"]) == 1

    wait_for(sop_running, timeout=60, what="the SOP run of the scanning customer")

    # 流失与撞单 has something to show: the lock is on, losses both ways, collisions
    assert api.get("/api/v1/acquisition/settings").json()["collision_lock"] is True
    wait_for(
        lambda: (
            api.get("/api/v1/acquisition/losses/counts").json() == {"customer": 3, "employee": 2}
        ),
        timeout=30,
        what="the seeded losses",
    )
    wait_for(
        lambda: len(api.get("/api/v1/acquisition/collisions").json()["items"]) >= 3,
        timeout=30,
        what="the seeded collisions",
    )
    # the live-stream code greets at night with its own welcome
    live_stream = next(
        c
        for c in api.get("/api/v1/acquisition/channels").json()["items"]
        if c["state"] == "live-stream"
    )
    assert [(v["start"], v["end"]) for v in live_stream["welcome_variants"]] == [("22:00", "08:00")]

    # a second start seeds nothing new
    losses = api.get("/api/v1/acquisition/losses/counts").json()
    again = seed(api, sandbox_url=sb.url)
    assert again.created == 0
    assert _everything(api) == seen
    events_settled(db)
    assert api.get("/api/v1/acquisition/losses/counts").json() == losses


def test_a_rebuilt_sandbox_gets_the_contact_ways_back(
    live: CorpHandle, api: httpx.Client, sb: Sandbox, db: Database
) -> None:
    seed(api)
    fresh = ThreadedServer(create_sandbox_app(sb.config)).start()
    try:

        async def point_at_fresh() -> None:
            from siyu.corps import service as corps

            async with db.unit_of_work() as s:
                (await corps.get(s, live.id)).api_base = fresh.url

        asyncio.run(point_at_fresh())
        key = get_settings().secret_key.get_secret_value()
        assert asyncio.run(rehome_channel_codes(db, live.wecom_corp_id, secret_key=key)) == 5
        ways = httpx.get(f"{fresh.url}/sandbox/contact_ways").json()
        assert sorted(w["state"] for w in ways) == sorted(CHANNELS)
        codes = api.get("/api/v1/acquisition/channels").json()["items"]
        assert {c["config_id"] for c in codes} == {w["config_id"] for w in ways}
    finally:
        fresh.stop()


def test_the_trickle_opens_a_radar_link_as_a_customer_would(
    live: CorpHandle, api: httpx.Client
) -> None:
    seed(api)
    _open_radar_link(api, random.Random(1))
    links = api.get("/api/v1/content", params={"kind": "link", "limit": 50}).json()["items"]
    opened = [i for i in links if i["opens"]]
    assert len(opened) == 1 and opened[0]["uses"] == 1
    opens = api.get(f"/api/v1/content/{opened[0]['id']}/opens").json()
    assert opens[0]["customer_id"] is not None and opens[0]["identified_by"] == "link"


def test_a_failed_seed_is_one_sentence_and_not_fatal(capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nothing listens there
    assert (
        seed_with_progress(f"http://127.0.0.1:{port}", "sy_x", f"http://127.0.0.1:{port}") is None
    )
    out = " ".join(capsys.readouterr().out.split())  # Rich wraps at the terminal's width
    assert "Could not seed the demo data (" in out and "serving without it." in out
