"""The reply library through the API: folders in order, the four kinds, search, pages,
reorder, uses and their statistics, exports."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook

from siyu.db.session import Database
from siyu.phrases.models import PhraseUse
from tests.conftest import CorpHandle
from tests.phrases.conftest import made, phrase, png, titles


def test_folders_kinds_search_and_order(api: httpx.Client, corp: CorpHandle) -> None:
    a = made(api.post("/api/v1/phrases/folders", json={"name": "开场白"}))
    b = made(api.post("/api/v1/phrases/folders", json={"name": "活动推广"}))
    dup = api.post("/api/v1/phrases/folders", json={"name": "开场白"})
    assert dup.status_code == 409 and "already exists" in dup.json()["detail"]
    # folders keep their order; reordering needs every folder once
    assert [f["name"] for f in api.get("/api/v1/phrases/folders").json()] == ["开场白", "活动推广"]
    bad = api.put("/api/v1/phrases/folders/order", json={"ids": [b["id"]]})
    assert bad.status_code == 422
    made(api.put("/api/v1/phrases/folders/order", json={"ids": [b["id"], a["id"]]}), 200)
    assert [f["name"] for f in api.get("/api/v1/phrases/folders").json()] == ["活动推广", "开场白"]

    hello = phrase(api, title="新客问候", body="您好，我是您的专属顾问小王", folder_id=a["id"])
    phrase(api, title="Welcome 英文", body="Hello, NICE to meet you", folder_id=a["id"])
    link = phrase(
        api,
        kind="link",
        title="双十二会员日",
        description="全场八折",
        url="https://example.com/vip",
        cover="https://example.com/vip.png",
        folder_id=b["id"],
    )
    mini = phrase(
        api,
        kind="miniprogram",
        title="小程序商城",
        appid="wx1234567890abcdef",
        page="pages/index/index.html",
        cover="https://example.com/mp.png",
        folder_id=b["id"],
    )
    assert link["folder"] == "活动推广" and mini["kind"] == "miniprogram" and hello["editable"]

    # each kind says what it needs, as a 4xx that writes nothing
    for body, words in [
        ({"kind": "text", "title": "空"}, "words"),
        ({"kind": "link", "title": "无链接"}, "URL"),
        ({"kind": "link", "title": "坏链接", "url": "javascript:alert(1)"}, "https://"),
        (
            {"kind": "miniprogram", "title": "缺页", "appid": "wx1", "cover": "https://x/y.png"},
            "page",
        ),
        ({"kind": "image", "title": "无图"}, "image"),
        ({"kind": "text", "title": "无此夹", "body": "x", "folder_id": 999999}, "folder"),
        ({"kind": "video", "title": "视频", "body": "x"}, "kind"),
    ]:
        r = api.post("/api/v1/phrases", json=body)
        assert 400 <= r.status_code < 500 and words in r.text, (body, r.text)
    assert len(titles(api)) == 4

    # an image phrase: bytes checked by their type, served back, uploaded to WeCom on demand
    fake = api.post(
        "/api/v1/phrases/images", files={"file": ("x.png", b"<svg></svg>", "image/png")}
    )
    assert fake.status_code == 422
    img = made(api.post("/api/v1/phrases/images", files={"file": ("门店.png", png(), "image/png")}))
    pic = phrase(api, kind="image", title="门店实拍", file_id=img["file_id"])
    served = api.get(f"/api/v1/phrases/{pic['id']}/image")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    media = made(api.post(f"/api/v1/phrases/{pic['id']}/wecom-media"), 200)
    assert media["media_id"]
    again = made(api.post(f"/api/v1/phrases/{pic['id']}/wecom-media"), 200)
    assert again["media_id"] == media["media_id"]  # still fresh: not uploaded again
    not_image = api.post(f"/api/v1/phrases/{hello['id']}/wecom-media")
    assert not_image.status_code == 422

    # search: any part of title or body, case-insensitive, Chinese substrings
    assert titles(api, keyword="专属顾问") == ["新客问候"]
    assert titles(api, keyword="nice") == ["Welcome 英文"]
    assert titles(api, keyword="WELCOME") == ["Welcome 英文"]
    assert titles(api, keyword="八折") == ["双十二会员日"]
    assert titles(api, keyword="100%") == []
    assert titles(api, kind="miniprogram") == ["小程序商城"]
    assert titles(api, folder_id=a["id"]) == ["新客问候", "Welcome 英文"]
    assert titles(api, no_folder=True) == ["门店实拍"]
    assert titles(api, scope="personal") == []

    # keyset pages
    first = api.get("/api/v1/phrases", params={"limit": 2}).json()
    second = api.get("/api/v1/phrases", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = api.get("/api/v1/phrases", params={"limit": 2, "cursor": second["next_cursor"]}).json()
    seen = [p["id"] for p in first["items"] + second["items"] + third["items"]]
    assert len(seen) == len(set(seen)) == 5 and third["next_cursor"] is None
    assert api.get("/api/v1/phrases", params={"cursor": "nope"}).status_code == 422

    # reorder within one folder; across folders is refused
    ids = [
        p["id"] for p in api.get("/api/v1/phrases", params={"folder_id": a["id"]}).json()["items"]
    ]
    made(api.put("/api/v1/phrases/order", json={"ids": ids[::-1]}), 200)
    assert titles(api, folder_id=a["id"]) == ["Welcome 英文", "新客问候"]
    mixed = api.put("/api/v1/phrases/order", json={"ids": [hello["id"], link["id"]]})
    assert mixed.status_code == 422 and "one folder" in mixed.text

    # move to another folder (appended at its end), edit, delete a folder (phrases stay)
    moved = made(api.patch(f"/api/v1/phrases/{hello['id']}", json={"folder_id": b["id"]}), 200)
    assert moved["folder"] == "活动推广"
    assert titles(api, folder_id=b["id"])[-1] == "新客问候"
    gone = made(api.delete(f"/api/v1/phrases/folders/{b['id']}"), 200)
    assert gone == {"phrases_unfiled": 3}
    assert api.get(f"/api/v1/phrases/{hello['id']}").json()["folder_id"] is None
    assert api.delete(f"/api/v1/phrases/{mini['id']}").status_code == 204
    assert api.get(f"/api/v1/phrases/{mini['id']}").status_code == 404


async def test_uses_stats_and_exports(
    as_role: dict[str, httpx.Client], api: httpx.Client, corp: CorpHandle
) -> None:
    staff, manager, admin = as_role["staff"], as_role["manager"], as_role["admin"]
    folder = made(api.post("/api/v1/phrases/folders", json={"name": "售后"}))
    a = phrase(api, title="退换货说明", body="7 天无理由退换", folder_id=folder["id"])
    b = phrase(api, title="物流查询", body="请提供订单号")
    for client, pid in [(staff, a["id"]), (staff, a["id"]), (manager, a["id"]), (staff, b["id"])]:
        made(client.post(f"/api/v1/phrases/{pid}/used"), 200)
    assert api.get(f"/api/v1/phrases/{a['id']}").json()["uses"] == 3
    mine = phrase(staff, scope="personal", title="我的口头禅", body="亲，马上为您处理")
    made(staff.post(f"/api/v1/phrases/{mine['id']}/used"), 200)

    stats = made(admin.get("/api/v1/phrases/stats"), 200)
    assert stats["total"] == 5 and stats["timezone"] == "Asia/Shanghai"
    # the top list is corp phrases only: a personal phrase's title stays its owner's
    assert [(t["title"], t["uses"]) for t in stats["top"]] == [("退换货说明", 3), ("物流查询", 1)]
    assert stats["top"][0]["folder"] == "售后"
    per = {e["userid"]: (e["uses"], e["phrases"]) for e in stats["employees"]}
    assert len(per) == 2 and sorted(per.values()) == [(1, 1), (4, 3)]
    assert all(e["name"] and e["name"] != e["userid"] for e in stats["employees"])
    assert staff.get("/api/v1/phrases/stats").status_code == 403

    # days are the corp's: a range that ended yesterday has none of today's uses
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    past = admin.get(
        "/api/v1/phrases/stats",
        params={"since": str(today - timedelta(days=7)), "until": str(today - timedelta(days=1))},
    ).json()
    assert past["total"] == 0 and past["top"] == []
    backwards = admin.get(
        "/api/v1/phrases/stats", params={"since": str(today), "until": str(today - timedelta(1))}
    )
    assert backwards.status_code == 422
    assert admin.get("/api/v1/phrases/stats", params={"since": "2020-01-01"}).status_code == 422

    sheet = admin.get("/api/v1/phrases/stats/export", params={"view": "employees"})
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("员工", "使用次数", "使用话术数") and len(rows) == 3
    top = admin.get("/api/v1/phrases/stats/export", params={"format": "csv"})
    assert top.status_code == 200 and "退换货说明" in top.content.decode("utf-8-sig")

    # the phrase export: the import's columns, the uses, times in the corp's zone
    out = admin.get("/api/v1/phrases/export")
    assert out.status_code == 200
    rows = list(load_workbook(io.BytesIO(out.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("文件夹", "类型", "标题") and rows[0][-1] == "更新时间 (Asia/Shanghai)"
    assert {r[2]: (r[0], r[1], r[10]) for r in rows[1:]} == {
        "退换货说明": ("售后", "文本", 3),
        "物流查询": (None, "文本", 1),
    }
    assert staff.get("/api/v1/phrases/export").status_code == 403


async def test_stats_days_are_the_corps(api: httpx.Client, corp: CorpHandle, db: Database) -> None:
    """A use at 17:30 UTC on 1 March is on 2 March in Shanghai (the corp's zone)."""
    p = phrase(api, title="夜间问候", body="晚上好")
    async with db.unit_of_work() as s:
        s.add(
            PhraseUse(
                corp_id=corp.id,
                phrase_id=p["id"],
                userid="",
                used_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC),
            )
        )

    def total(day: str) -> int:
        r = api.get("/api/v1/phrases/stats", params={"since": day, "until": day})
        assert r.status_code == 200, r.text
        return int(r.json()["total"])

    assert total("2026-03-01") == 0
    assert total("2026-03-02") == 1
    stats = api.get("/api/v1/phrases/stats", params={"since": "2026-03-02", "until": "2026-03-02"})
    assert stats.json()["since"].startswith("2026-03-01T16:00:00")
    assert stats.json()["employees"] == [
        {"userid": "", "name": "（未关联员工）", "uses": 1, "phrases": 1}
    ]
