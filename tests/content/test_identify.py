"""Unknown openers identified through WeCom OAuth; article read time from the page's beacon."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import update

from siyu.content.models import RadarOpen
from siyu.db.base import utcnow
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for


def _link(api: httpx.Client, item_id: int, **body: Any) -> str:
    r = api.post(f"/api/v1/content/{item_id}/radar-links", json=body)
    assert r.status_code == 201, r.text
    url = str(r.json()["url"])
    return url[url.index("/r/") :]


def _customer(api: httpx.Client) -> dict[str, Any]:
    c = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    return dict(api.get(f"/api/v1/customers/{c['id']}").json())


def test_unknown_opener_is_identified_by_oauth(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    item = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "直播预告", "url": "https://example.com/live"},
    ).json()
    userid = sb.get("/sandbox/employees")[0]["userid"]
    path = _link(api, item["id"], userid=userid)  # no recipient: shared in a group, forwarded
    customer = _customer(api)
    anon = httpx.Client(base_url=str(api.base_url), timeout=10)

    # the open is counted, then the opener goes to WeCom's sign-in (the sandbox's page)
    first = anon.get(path, follow_redirects=False)
    assert first.status_code == 302
    location = urlsplit(first.headers["location"])
    assert location.path == "/connect/oauth2/authorize"
    query = parse_qs(location.query)
    assert query["redirect_uri"][0].endswith(path + "/who") and query["state"][0]
    page = sb.http.get(first.headers["location"])
    assert page.status_code == 200 and "以微信用户身份打开" in page.text
    stats = api.get(f"/api/v1/content/{item['id']}/stats").json()
    assert stats["opens"] == 1 and stats["anonymous_opens"] == 1

    # WeCom names the customer: the open becomes theirs, the employee is told their name
    code = sb.http.post(
        "/sandbox/oauth/visitor_code", json={"external_userid": customer["external_userid"]}
    ).json()["code"]
    state = query["state"][0]
    back = anon.get(f"{path}/who", params={"code": code, "state": state}, follow_redirects=False)
    assert back.status_code == 302 and back.headers["location"] == "https://example.com/live"
    stats = api.get(f"/api/v1/content/{item['id']}/stats").json()
    assert (stats["opens"], stats["unique_openers"], stats["identified_opens"]) == (1, 1, 1)
    assert stats["recent"][0]["customer_name"] == customer["name"]
    assert stats["recent"][0]["identified_by"] == "oauth"
    timeline = api.get(f"/api/v1/customers/{customer['id']}").json()["timeline"]
    assert [t for t in timeline if t["kind"] == "radar_opened"]

    def told() -> bool:
        sent = sb.get("/sandbox/app_messages")
        return any(
            "直播预告" in str(m.get("text")) and customer["name"] in str(m.get("text"))
            for m in sent
        )

    wait_for(told, timeout=30, what="the employee's app message naming the customer")
    # a replayed return changes nothing; a forged state is refused with a sentence
    anon.get(f"{path}/who", params={"code": code, "state": state}, follow_redirects=False)
    assert api.get(f"/api/v1/content/{item['id']}/stats").json()["identified_opens"] == 1
    forged = anon.get(f"{path}/who", params={"code": code, "state": state[:-2] + "xx"})
    assert forged.status_code == 403 and "链接无效" in forged.text  # a page for the reader
    assert anon.get(path[:-4] + "abcd").status_code == 403

    # the same browser again within the window is the same open (no second sign-in)
    assert anon.get(path, follow_redirects=False).headers["location"] == "https://example.com/live"
    # a stranger (a WeChat user who is nobody's customer, on their own phone) stays
    # anonymous but counted
    second = anon.get(path, follow_redirects=False, headers={"User-Agent": "stranger's phone"})
    state2 = parse_qs(urlsplit(second.headers["location"]).query)["state"][0]
    stranger = sb.http.post("/sandbox/oauth/visitor_code", json={}).json()["code"]
    anon.get(f"{path}/who", params={"code": stranger, "state": state2}, follow_redirects=False)
    # the browser path: the sandbox's page → pick the customer → back to Siyu → the link
    third = anon.get(path, follow_redirects=False, headers={"User-Agent": "a third phone"})
    picked = sb.http.get(third.headers["location"])
    href = re.search(r'data-external-userid="[^"]+" href="([^"]+)"', picked.text)
    assert href is not None
    hop = sb.http.get(href.group(1).replace("&amp;", "&"), follow_redirects=False)
    final = anon.get(hop.headers["location"], follow_redirects=False)
    assert final.headers["location"] == "https://example.com/live"
    stats = api.get(f"/api/v1/content/{item['id']}/stats").json()
    assert (stats["opens"], stats["anonymous_opens"], stats["identified_opens"]) == (3, 1, 2)
    anon.close()


def test_article_read_time_reaches_stats_and_timeline(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    item = api.post(
        "/api/v1/content",
        json={
            "kind": "article",
            "title": "选购指南",
            "body": "# 第一步\n\n看**成分**。<script>alert(1)</script>",
        },
    ).json()
    customer = _customer(api)
    userid = customer["relations"][0]["userid"]
    path = _link(api, item["id"], userid=userid, customer_id=customer["id"])
    anon = httpx.Client(
        base_url=str(api.base_url), timeout=10, headers={"User-Agent": "Mozilla/5.0"}
    )
    page = anon.get(path)
    assert page.status_code == 200 and "<strong>成分</strong>" in page.text
    assert "<script>alert(1)" not in page.text  # raw HTML in the body is escaped
    ref = re.search(r'ref = "([^"]+)"', page.text)
    assert ref is not None and f"{path}/read" in page.text

    async def backdate() -> None:  # the reader has been on the page for 200 s
        async with db.unit_of_work() as s:
            await s.execute(update(RadarOpen).values(opened_at=utcnow() - timedelta(seconds=200)))

    asyncio.run(backdate())
    for seconds in (5, 130, 60):  # beats only ever raise the read time
        r = anon.post(f"{path}/read", json={"o": ref.group(1), "seconds": seconds})
        assert r.status_code == 204, r.text
    stats = api.get(f"/api/v1/content/{item['id']}/stats").json()
    assert stats["read_seconds_total"] == 130 and stats["recent"][0]["read_seconds"] == 130
    timeline = api.get(f"/api/v1/customers/{customer['id']}").json()["timeline"]
    opened = [t for t in timeline if t["kind"] == "radar_opened"]
    assert opened[0]["data"]["read"] == "2 min 10 s"
    # a beat cannot claim more than the time since the open
    anon.post(f"{path}/read", json={"o": ref.group(1), "seconds": 5000})
    got = api.get(f"/api/v1/content/{item['id']}/stats").json()["read_seconds_total"]
    assert 200 <= got < 300
    bad = anon.post(f"{path}/read", json={"o": "MQ.AAAA", "seconds": 10})
    assert bad.status_code == 403 and bad.json()["detail"]
    assert anon.post(f"{path}/read", json={"o": ref.group(1), "seconds": -1}).status_code == 422
    anon.close()
