"""Radar links (issue 14, point 12): strict base64url tokens, JSON escaped for the page's
script, archived items and revoked links answer 410 with a Chinese page."""

from __future__ import annotations

import asyncio
import base64
import re

import httpx
import pytest

from siyu.content.page import js
from siyu.content.radar import RadarClaim, sign, verify
from siyu.core.errors import Forbidden
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync

NOW = 1_900_000_000


def test_tokens_decode_strict_base64url() -> None:
    claim = RadarClaim(1, 2, 3, "zhangsan", 2_000_000_000, 0, 4)
    token = sign(claim, secret_key="k")
    assert verify(token, secret_key="k", now=NOW) == claim
    body, sig = token.split(".")
    for bad in (
        f"{body}.<>!!{sig}",  # non-alphabet characters were skipped by the lenient decoder
        f"{body}.{sig}==",  # padding
        f"{body}.{sig[:-1]}{chr(ord(sig[-1]) + 1)}",  # a non-canonical last character
        f"{body}=.{sig}",
        f"{body}.{sig}\n",
        f"{body[:1]}+{body[2:]}.{sig}",  # standard base64, not base64url
    ):
        with pytest.raises(Forbidden):
            verify(bad, secret_key="k", now=NOW)
    # a token of the old format (no generation) still verifies, as generation 0
    old = base64.urlsafe_b64encode(b"1:2:3:zhangsan:2000000000").decode().rstrip("=")
    legacy = sign(RadarClaim(1, 2, 3, "zhangsan", 2_000_000_000), secret_key="k")
    assert legacy.split(".")[0] == old
    assert verify(legacy, secret_key="k", now=NOW).epoch == 0


def test_json_in_the_page_script_cannot_end_it() -> None:
    text = js("</script><script>alert(1)</script>&\u2028\u2029<!--")
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert text.startswith('"\\u003c/script\\u003e')


def _link(api: httpx.Client, iid: int, userid: str, customer_id: int) -> str:
    body = {"userid": userid, "customer_id": customer_id}
    r = api.post(f"/api/v1/content/{iid}/radar-links", json=body)
    assert r.status_code == 201, r.text
    url = str(r.json()["url"])
    return url[url.index("/r/") :]


def test_archived_items_and_revoked_links_answer_410(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    userid = sb.get("/sandbox/employees")[0]["userid"]
    customers = api.get("/api/v1/customers", params={"limit": 3}).json()["items"]
    cid = customers[0]["id"]
    item = api.post(
        "/api/v1/content",
        json={"kind": "article", "title": "新品手册", "body": "# 新品\n\n欢迎了解。"},
    ).json()
    iid = item["id"]
    anon = httpx.Client(base_url=str(api.base_url), timeout=10)
    # three customers' links (one customer's links made in the same second are one link)
    first, second, third = (_link(api, iid, userid, c["id"]) for c in customers)
    page = anon.get(first, headers={"User-Agent": "curl"})
    assert page.status_code == 200 and "新品手册" in page.text

    # one link, by its URL: 410 with a Chinese page; the other links still open
    r = api.post(f"/api/v1/content/{iid}/radar-links/revoke", json={"link": first})
    assert r.status_code == 200 and r.json()["revoked"] == 1, r.text
    gone = anon.get(first, headers={"User-Agent": "curl"})
    assert gone.status_code == 410 and "内容已失效" in gone.text
    assert "<script" not in gone.text
    assert anon.get(second, headers={"User-Agent": "curl"}).status_code == 200
    again = api.post(f"/api/v1/content/{iid}/radar-links/revoke", json={"link": first})
    assert again.json()["revoked"] == 0  # idempotent

    # the link behind an open; the opens list says which links are revoked
    opens = api.get(f"/api/v1/content/{iid}/opens").json()
    latest = opens[0]
    assert not latest["link_revoked"]
    r = api.post(f"/api/v1/content/{iid}/radar-links/revoke", json={"open_id": latest["id"]})
    assert r.json()["revoked"] == 1
    assert anon.get(second, headers={"User-Agent": "curl"}).status_code == 410
    assert all(o["link_revoked"] for o in api.get(f"/api/v1/content/{iid}/opens").json())

    # every link made so far; a new link works
    r = api.post(f"/api/v1/content/{iid}/radar-links/revoke", json={"all": True})
    assert r.json()["link_epoch"] == 1
    assert anon.get(third, headers={"User-Agent": "curl"}).status_code == 410
    fresh = _link(api, iid, userid, cid)
    assert anon.get(fresh, headers={"User-Agent": "curl"}).status_code == 200

    # bad requests are clear 4xx
    for body in ({}, {"all": True, "link": fresh}, {"link": "https://example.com/r/abc.def"}):
        assert api.post(f"/api/v1/content/{iid}/radar-links/revoke", json=body).status_code == 422
    other = api.post(
        "/api/v1/content", json={"kind": "link", "title": "别的", "url": "https://example.com"}
    ).json()
    wrong = api.post(f"/api/v1/content/{other['id']}/radar-links/revoke", json={"link": fresh})
    assert wrong.status_code == 422

    # an archived item: every link 410 (the read beat too), restored: open again
    opens_before = api.get(f"/api/v1/content/{iid}").json()["opens"]
    assert api.delete(f"/api/v1/content/{iid}").status_code == 200
    gone = anon.get(fresh, headers={"User-Agent": "curl"})
    assert gone.status_code == 410 and "已下架" in gone.text
    beat = anon.post(f"{fresh}/read", json={"o": "x.y", "seconds": 3})
    assert beat.status_code == 410
    assert api.get(f"/api/v1/content/{iid}").json()["opens"] == opens_before  # not counted
    api.post(f"/api/v1/content/{iid}/restore")
    assert anon.get(fresh, headers={"User-Agent": "curl"}).status_code == 200
    assert re.search(r"var url = \"/r/[A-Za-z0-9_.-]+/read\"", anon.get(fresh).text)
    anon.close()
