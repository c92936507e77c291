"""Radar opens are de-duplicated (issue 14, point 6), over real HTTP against the sandbox: a
curl loop on a forwarded link makes one open, one timeline row and one app message; another
client makes another open but the employee is not told twice; the public routes answer 429
to a flood from one address."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from siyu.acquisition.models import AppMessage
from siyu.content.models import RadarOpen
from siyu.core.ratelimit import RateLimiter
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for


def _count(db: Database, stmt: object) -> int:
    async def run() -> int:
        async with db.sessions() as s:
            return int(await s.scalar(stmt) or 0)  # type: ignore[call-overload]

    return asyncio.run(run())


def test_twenty_gets_make_one_open_and_one_message(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    customer = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    userid = api.get(f"/api/v1/customers/{customer['id']}").json()["relations"][0]["userid"]
    item = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "限时优惠", "url": "https://example.com/deal"},
    ).json()
    url = api.post(
        f"/api/v1/content/{item['id']}/radar-links",
        json={"userid": userid, "customer_id": customer["id"]},
    ).json()["url"]
    path = url[url.index("/r/") :]
    with httpx.Client(base_url=str(api.base_url), timeout=10) as curl:
        answers = {
            curl.get(path, headers={"User-Agent": "curl/8.5"}).status_code for _ in range(20)
        }
        assert answers == {302}  # every hit still reaches the content
        stats = api.get(f"/api/v1/content/{item['id']}/stats").json()
        assert stats["opens"] == 1 and api.get(f"/api/v1/content/{item['id']}").json()["opens"] == 1
        hits = _count(db, select(func.sum(RadarOpen.hits)))
        assert hits == 20
        timeline = api.get(f"/api/v1/customers/{customer['id']}").json()["timeline"]
        assert len([t for t in timeline if t["kind"] == "radar_opened"]) == 1

        # a second client (another browser) is a second open and a second timeline row,
        # but the employee already heard about this customer within the window
        other = curl.get(path, headers={"User-Agent": "Mozilla/5.0 MicroMessenger/8.0"})
        assert other.status_code == 302
        assert api.get(f"/api/v1/content/{item['id']}/stats").json()["opens"] == 2
        timeline = api.get(f"/api/v1/customers/{customer['id']}").json()["timeline"]
        assert len([t for t in timeline if t["kind"] == "radar_opened"]) == 2
    radar_messages = select(func.count()).where(AppMessage.kind == "radar_open")
    assert _count(db, radar_messages) == 1  # the durable outbox: one message

    def sent() -> list[dict[str, object]]:
        return [m for m in sb.get("/sandbox/app_messages") if "限时优惠" in str(m.get("text"))]

    wait_for(lambda: sent(), timeout=30, what="the app message to the employee")
    # every queued job has run once the sandbox got the message; still one
    assert len(sent()) == 1


def test_public_radar_routes_answer_429_to_a_flood(api: httpx.Client, corp: CorpHandle) -> None:
    with httpx.Client(base_url=str(api.base_url), timeout=10) as flood:
        codes = []
        for _ in range(300):  # bounded; the burst is 60
            codes.append(flood.get("/r/nonsense.token").status_code)
            if codes[-1] == 429:
                break
    assert codes[0] == 403 and codes[-1] == 429


def test_rate_limiter_refills_and_stays_bounded() -> None:
    limiter = RateLimiter(burst=2, per_second=1.0, max_keys=3)
    assert [limiter.allow("a", now=0.0) for _ in range(3)] == [True, True, False]
    assert limiter.allow("a", now=1.0)  # one token back after a second
    for n in range(10):
        limiter.allow(f"ip{n}", now=2.0)
    assert len(limiter._buckets) <= 3
