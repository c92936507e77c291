"""Content library and radar links: signed tokens, tracked redirect, timeline, app message."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from siyu.content.radar import RadarClaim, sign, verify
from siyu.core.errors import Forbidden
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for


def test_tokens_reject_tampering_and_expiry() -> None:
    claim = RadarClaim(1, 2, 3, "zhangsan", 2_000_000_000)
    token = sign(claim, secret_key="k")
    assert verify(token, secret_key="k", now=1_900_000_000) == claim
    body, sig = token.split(".")
    forged = sign(RadarClaim(1, 2, 4, "zhangsan", 2_000_000_000), secret_key="k").split(".")[0]
    for bad in (f"{forged}.{sig}", f"{body}.{sig[:-2]}AA", "nonsense", f"{body}."):
        with pytest.raises(Forbidden):
            verify(bad, secret_key="k", now=1_900_000_000)
    with pytest.raises(Forbidden):
        verify(token, secret_key="other", now=1_900_000_000)
    with pytest.raises(Forbidden, match="expired"):
        verify(token, secret_key="k", now=2_000_000_001)


def test_open_goes_to_timeline_and_notifies_the_employee(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    item = api.post(
        "/api/v1/content",
        json={
            "kind": "link",
            "title": "会员权益说明",
            "url": "https://example.com/vip",
            "folder": "会员",
        },
    )
    assert item.status_code == 201, item.text
    iid = item.json()["id"]
    customer = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    detail = api.get(f"/api/v1/customers/{customer['id']}").json()
    userid = detail["follow_users"][0]["userid"] if "follow_users" in detail else None
    userid = userid or sb.get("/sandbox/employees")[0]["userid"]
    link = api.post(
        f"/api/v1/content/{iid}/radar-links", json={"userid": userid, "customer_id": customer["id"]}
    )
    assert link.status_code == 201, link.text
    url = link.json()["url"]
    path = url[url.index("/r/") :]
    anon = httpx.Client(base_url=str(api.base_url), timeout=10)
    r = anon.get(path, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "https://example.com/vip"
    assert anon.get(path[:-3] + "AAA").status_code == 403  # tampered
    opens = api.get(f"/api/v1/content/{iid}/opens").json()
    assert [(o["customer_id"], o["userid"]) for o in opens] == [(customer["id"], userid)]
    got = api.get(f"/api/v1/content/{iid}").json()
    assert got["uses"] == 1 and got["opens"] == 1
    timeline = api.get(f"/api/v1/customers/{customer['id']}").json()["timeline"]
    assert any(t["kind"] == "radar_opened" for t in timeline)

    def notified() -> bool:
        sent = sb.get("/sandbox/app_messages")
        return any("会员权益说明" in str(m.get("text")) and userid in m["touser"] for m in sent)

    wait_for(notified, timeout=30, what="the app message to the employee")
    anon.close()
