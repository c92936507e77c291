"""Uploaded items, WeCom media (temporary + permanent images), content inside broadcasts."""

from __future__ import annotations

import asyncio
import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image

from siyu.db.session import Database
from siyu.wecom import media_api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError
from tests.conftest import CorpHandle, Sandbox, full_sync, wait_for


def _png(size: int = 32) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), (7, 193, 96)).save(buf, "PNG")
    return buf.getvalue()


def _upload(api: httpx.Client, kind: str, name: str, data: bytes, ctype: str, **form: Any) -> Any:
    return api.post(
        "/api/v1/content/upload",
        data={"kind": kind, **form},
        files={"file": (name, data, ctype)},
    )


def test_sandbox_media_limits_and_expiry(sb: Sandbox) -> None:
    async def run() -> None:
        cfg = sb.config
        async with WeComClient(corp_id=cfg.corp_id, secret=cfg.secret, base_url=sb.url) as c:
            url = await media_api.upload_image(
                c, filename="cover.png", content=_png(), content_type="image/png"
            )
            assert httpx.get(url).content == _png()  # permanent: served by the sandbox
            for name, data, errcode in (
                ("cover.gif", _png(), 40005),
                ("tiny.png", b"\x89PN", 40006),
                ("huge.png", b"0" * (2 * 1024 * 1024 + 1), 40009),
            ):
                with pytest.raises(WeComError) as err:
                    await media_api.upload_image(
                        c, filename=name, content=data, content_type="image/png"
                    )
                assert err.value.errcode == errcode
            mid = await media_api.upload_temporary(
                c, kind="image", filename="a.png", content=_png(), content_type="image/png"
            )
            assert mid in {m["media_id"] for m in sb.get("/sandbox/media")}

    asyncio.run(run())


def test_upload_items_and_wecom_media(api: httpx.Client, sb: Sandbox, corp: CorpHandle) -> None:
    r = _upload(api, "image", "海报.png", _png(), "image/png", tags="海报, 双十一")
    assert r.status_code == 201, r.text
    item = r.json()
    assert (item["kind"], item["title"], item["tags"]) == ("image", "海报.png", ["海报", "双十一"])
    assert item["size"] == len(_png()) and item["media_id"] == ""
    assert api.get(f"/api/v1/content/{item['id']}/file").content == _png()
    for kind, name, data, ctype, words in (
        ("image", "a.gif", b"GIF89a....", "image/gif", "JPEG, PNG"),
        ("video", "a.avi", b"0" * 100, "video/x-msvideo", "MP4"),
        ("file", "empty.txt", b"abc", "text/plain", "empty"),
        ("image", "big.png", b"0" * (10 * 1024 * 1024 + 1), "image/png", "10 MB"),
    ):
        bad = _upload(api, kind, name, data, ctype)
        assert bad.status_code == 422 and words in bad.json()["detail"], bad.text
    assert len(api.get("/api/v1/content").json()["items"]) == 1  # nothing half-written

    first = api.post(f"/api/v1/content/{item['id']}/wecom-media").json()
    again = api.post(f"/api/v1/content/{item['id']}/wecom-media").json()
    assert first == again  # still valid: not uploaded twice
    fresh = api.post(f"/api/v1/content/{item['id']}/wecom-media", params={"fresh": True}).json()
    assert fresh["media_id"] != first["media_id"]
    assert {first["media_id"], fresh["media_id"]} <= {
        m["media_id"] for m in sb.get("/sandbox/media")
    }


def _submitted(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/api/v1/broadcasts", json=body)
    assert r.status_code == 201, r.text
    bid = r.json()["id"]

    def done() -> Any:
        d = api.get(f"/api/v1/broadcasts/{bid}").json()
        return d if d["status"] in ("submitted", "failed") else None

    return dict(wait_for(done, timeout=90, what="the broadcast's submission"))


def test_broadcast_with_a_radar_link_and_an_expired_image(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    cover = api.post(
        "/api/v1/content/files", files={"file": ("cover.png", _png(), "image/png")}
    ).json()
    link = api.post(
        "/api/v1/content",
        json={
            "kind": "link",
            "title": "年终大促",
            "description": "全场五折起",
            "url": "https://example.com/sale",
            "file_id": cover["id"],
        },
    ).json()
    userids = [e["userid"] for e in sb.get("/sandbox/employees")][:2]
    audience = {"userids": userids}
    for bad in ({"kind": "moment", "userids": userids}, None):
        body: dict[str, Any] = {"name": "x", "text": "t", "content_item_id": link["id"]}
        if bad:
            body["audience"] = bad
        else:
            body["content_item_id"] = 999999
        assert api.post("/api/v1/broadcasts", json=body).status_code in (404, 422)

    b = _submitted(
        api,
        {
            "name": "大促",
            "text": "年终大促来啦",
            "audience": audience,
            "content_item_id": link["id"],
        },
    )
    assert b["status"] == "submitted" and b["content_item_id"] == link["id"]
    sent = [
        m
        for m in sb.get("/sandbox/groupmsg/messages")
        if m["text"].get("content") == "年终大促来啦"
    ]
    assert len(sent) == len(b["jobs"]) >= 1
    urls = {m["sender"]: m["attachments"][0]["link"] for m in sent}
    one = next(iter(urls.values()))
    assert "/sandbox/media/img/" in one["picurl"] and one["title"] == "年终大促"
    assert len({u["url"] for u in urls.values()}) == len(urls)  # one radar link per sender
    assert api.get(f"/api/v1/content/{link['id']}").json()["sends"] == len(sent)

    # a customer opens the sender's link; OAuth names them; the broadcast's stats show it
    sender, attachment = next(iter(urls.items()))
    path = attachment["url"][attachment["url"].index("/r/") :]
    anon = httpx.Client(base_url=str(api.base_url), timeout=10)
    hop = anon.get(path, follow_redirects=False)
    state = parse_qs(urlsplit(hop.headers["location"]).query)["state"][0]
    recipients = api.get(
        f"/api/v1/broadcasts/{b['id']}/recipients", params={"userid": sender}
    ).json()["items"]
    code = sb.http.post(
        "/sandbox/oauth/visitor_code", json={"external_userid": recipients[0]["external_userid"]}
    ).json()["code"]
    anon.get(f"{path}/who", params={"code": code, "state": state}, follow_redirects=False)
    radar = api.get(f"/api/v1/broadcasts/{b['id']}").json()["radar"]
    assert (radar["opens"], radar["unique_openers"]) == (1, 1)
    assert radar["recent"][0]["customer_id"] == recipients[0]["customer_id"]
    assert radar["recent"][0]["userid"] == sender and radar["recent"][0]["broadcast_id"] == b["id"]
    anon.close()

    # an image item: uploaded once; when WeCom's copy expired (3 days on the sandbox clock
    # while Siyu still trusts it), the 40007 answer makes Siyu upload it again and resend
    image = _upload(api, "image", "poster.png", _png(48), "image/png").json()
    first_media = api.post(f"/api/v1/content/{image['id']}/wecom-media").json()["media_id"]
    sb.http.post("/sandbox/clock", json={"seconds": 3 * 86400 + 60})
    b2 = _submitted(
        api,
        {"name": "海报", "text": "新海报", "audience": audience, "content_item_id": image["id"]},
    )
    assert b2["status"] == "submitted", b2
    assert {j["status"] for j in b2["jobs"]} == {"submitted"}
    posted = [
        m for m in sb.get("/sandbox/groupmsg/messages") if m["text"].get("content") == "新海报"
    ]
    used = {m["attachments"][0]["image"]["media_id"] for m in posted}
    assert first_media not in used and len(used) >= 1
    assert api.get(f"/api/v1/content/{image['id']}").json()["media_id"] in used
