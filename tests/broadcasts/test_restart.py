"""A broadcast's results asked of a WeCom that does not know its msgids (the demo restarted on
the same database against a freshly built sandbox): recorded once, no traceback."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import pytest

from siyu.core.serving import ThreadedServer
from siyu.db.session import Database
from siyu.wecom.sandbox import create_sandbox_app
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for

LOST = "does not know message"


def _detail(api: httpx.Client, bid: int) -> dict[str, Any]:
    r = api.get(f"/api/v1/broadcasts/{bid}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _sync(api: httpx.Client, bid: int) -> dict[str, Any]:
    """Ask for a sync (as the console's button does) and wait until it has run."""
    before = _detail(api, bid)["synced_at"]
    assert api.post(f"/api/v1/broadcasts/{bid}/sync").status_code == 202
    return dict(wait_for(lambda: (d := _detail(api, bid))["synced_at"] != before and d, timeout=60))


def _point_at(db: Database, corp: CorpHandle, url: str) -> None:
    async def go() -> None:
        from siyu.corps import service as corps

        async with db.unit_of_work() as s:
            (await corps.get(s, corp.id)).api_base = url

    asyncio.run(go())


def test_results_of_msgids_a_fresh_sandbox_never_saw_are_recorded_once_without_traceback(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": False, "cap_rule": "off"})
    userids = [e["userid"] for e in sb.get("/sandbox/employees")[:2]]
    r = api.post(
        "/api/v1/broadcasts",
        json={"name": "重启前的群发", "text": "会员日预热", "audience": {"userids": userids}},
    )
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    wait_for(lambda: _detail(api, bid)["status"] == "submitted", timeout=60, what="submission")
    # one sender confirmed before the restart: those customers' results are known
    confirmed = sb.get("/sandbox/groupmsg/messages")[0]
    done = sb.http.post(
        f"/sandbox/groupmsg/messages/{confirmed['msgid']}/employee", json={"action": "confirm"}
    )
    assert done.status_code == 200, done.text
    before = _sync(api, bid)
    jobs = before["jobs"]
    assert len(jobs) == 2 and before["counts"]["sent"] == confirmed["recipients"]
    waiting = before["counts"]["submitted"]
    assert waiting > 0

    # the restart: a sandbox built anew from the same seed, which never created these msgids
    fresh = ThreadedServer(create_sandbox_app(sb.config)).start()
    try:
        _point_at(db, corp, fresh.url)
        caplog.set_level(logging.INFO)
        with httpx.Client(base_url=fresh.url, timeout=30) as control:
            # an expected WeCom error unrelated to the msgid (WeCom busy past the client's
            # retries) fails the sync in one log line and records nothing
            control.put("/sandbox/faults", json={"busy": 5})
            assert api.post(f"/api/v1/broadcasts/{bid}/sync").status_code == 202
            wait_for(
                lambda: any("errcode -1" in m for m in caplog.messages),
                timeout=60,
                what="the failed sync's log line",
            )
            assert all(not j["result"] for j in _detail(api, bid)["jobs"])

            after = _sync(api, bid)
            for _ in range(2):  # later syncs (the button, the periodic scan) ask WeCom nothing
                assert _sync(api, bid)["counts"] == after["counts"]
            asked = control.get("/sandbox/stats").json()

        assert {j["result"]["msgid_unknown"] for j in after["jobs"]} == {41047}
        assert all("errcode 41047" in j["error"] for j in after["jobs"])
        # customers whose result was known keep it; the others' results are lost, once
        assert after["counts"] == {"sent": confirmed["recipients"], "failed": waiting}
        page = api.get(f"/api/v1/broadcasts/{bid}/recipients", params={"state": "failed"})
        assert {x["reason"] for x in page.json()["items"]} == {"msgid_unknown"}
        # (the busy answers went to the token request: that sync asked nothing else)
        assert asked.get("externalcontact/get_groupmsg_task") == len(jobs)
        assert "externalcontact/get_groupmsg_send_result" not in asked
        assert sum(LOST in m for m in caplog.messages) == len(jobs)
        time.sleep(0.5)  # anything a worker thread logs late still lands in caplog
        assert not [rec for rec in caplog.records if rec.exc_info or rec.levelno >= logging.ERROR]
    finally:
        fresh.stop()
