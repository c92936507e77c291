"""The library: folders, tags, search with filters, keyset pages, export, edit, archive."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.conftest import CorpHandle


def _item(api: httpx.Client, **body: Any) -> dict[str, Any]:
    r = api.post("/api/v1/content", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _titles(api: httpx.Client, **params: Any) -> list[str]:
    r = api.get("/api/v1/content", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return [i["title"] for i in r.json()["items"]]


def test_folders_move_rename_and_delete_lose_nothing(api: httpx.Client, corp: CorpHandle) -> None:
    root = api.post("/api/v1/content/folders", json={"name": "产品介绍"}).json()
    child = api.post(
        "/api/v1/content/folders", json={"name": "新品", "parent_id": root["id"]}
    ).json()
    dup = api.post("/api/v1/content/folders", json={"name": "产品介绍"})
    assert dup.status_code == 409 and "already exists" in dup.json()["detail"]
    a = _item(api, kind="link", title="春季新品", url="https://example.com/a", folder_id=root["id"])
    b = _item(api, kind="link", title="夏季新品", url="https://example.com/b")
    assert a["folder"] == "产品介绍" and b["folder_id"] is None
    moved = api.post("/api/v1/content/move", json={"item_ids": [b["id"]], "folder_id": child["id"]})
    assert moved.json() == {"moved": 1}
    assert _titles(api, folder_id=child["id"]) == ["夏季新品"]
    assert _titles(api, root=True) == []

    # a folder cannot move into its own subtree
    loop = api.patch(f"/api/v1/content/folders/{root['id']}", json={"parent_id": child["id"]})
    assert loop.status_code == 422 and "itself" in loop.json()["detail"]
    renamed = api.patch(f"/api/v1/content/folders/{child['id']}", json={"name": "2026 新品"})
    assert renamed.status_code == 200
    assert api.get(f"/api/v1/content/{b['id']}").json()["folder"] == "2026 新品"
    listing = {f["name"]: f for f in api.get("/api/v1/content/folders").json()}
    assert listing["2026 新品"]["items"] == 1 and listing["产品介绍"]["items"] == 1

    gone = api.delete(f"/api/v1/content/folders/{root['id']}")
    assert gone.json() == {"items_moved_to_root": 1, "folders_moved_up": 1}
    listing = {f["name"]: f for f in api.get("/api/v1/content/folders").json()}
    assert set(listing) == {"2026 新品"} and listing["2026 新品"]["parent_id"] is None
    assert _titles(api, root=True) == ["春季新品"]
    assert api.get(f"/api/v1/content/{a['id']}").json()["folder"] == ""
    assert sorted(_titles(api)) == ["夏季新品", "春季新品"]


def test_search_filters_pages_and_export(api: httpx.Client, corp: CorpHandle) -> None:
    _item(api, kind="link", title="会员权益", url="https://example.com/vip", tags=["会员", "权益"])
    _item(api, kind="article", title="护肤指南", body="秋冬**保湿**的五个步骤", tags=["护肤"])
    _item(api, kind="text", title="开场白", body="您好，我是您的专属顾问", description="欢迎语")
    _item(api, kind="link", title="100%_返现", url="https://example.com/cash")
    assert _titles(api, keyword="保湿") == ["护肤指南"]  # body
    assert _titles(api, keyword="欢迎") == ["开场白"]  # description
    assert _titles(api, keyword="权益") == ["会员权益"]  # title and tag
    assert _titles(api, keyword="%_") == ["100%_返现"]  # LIKE wildcards are literal
    assert _titles(api, tag="护肤") == ["护肤指南"]
    assert sorted(_titles(api, kind="link")) == ["100%_返现", "会员权益"]
    assert _titles(api, kind="link", keyword="会员") == ["会员权益"]
    tags = {t["tag"]: t["items"] for t in api.get("/api/v1/content/tags").json()}
    assert tags == {"会员": 1, "权益": 1, "护肤": 1}

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/api/v1/content", params=params).json()
        seen += [i["title"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 4
    assert api.get("/api/v1/content", params={"cursor": "bad!"}).status_code == 422

    text = api.get("/api/v1/content/export", params={"format": "csv", "kind": "link"}).text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["ID", "类型", "标题"] and {r[2] for r in rows[1:]} == {
        "100%_返现",
        "会员权益",
    }
    xlsx = api.get("/api/v1/content/export", params={"format": "xlsx", "tag": "护肤"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and [c.value for c in sheet[2]][2] == "护肤指南"
    assert api.get("/api/v1/content/export", params={"format": "pdf"}).status_code == 422


def test_edit_archive_restore_and_bad_input(api: httpx.Client, corp: CorpHandle) -> None:
    bad = [
        {"kind": "link", "title": "无链接"},
        {"kind": "link", "title": "坏链接", "url": "javascript:alert(1)"},
        {"kind": "article", "title": "空文章"},
        {"kind": "image", "title": "无文件"},
        {"kind": "miniprogram", "title": "小程序"},
        {"kind": "link", "title": "x", "url": "https://e.com", "tags": ["长" * 31]},
        {"kind": "link", "title": "x", "url": "https://e.com", "folder_id": 99999},
    ]
    for body in bad:
        r = api.post("/api/v1/content", json=body)
        assert r.status_code in (400, 404, 422), (body, r.text)
        assert r.json()["detail"], body
    assert _titles(api) == []  # nothing half-written

    item = _item(api, kind="link", title="旧标题", url="https://example.com/x", tags=["甲"])
    r = api.patch(f"/api/v1/content/{item['id']}", json={"title": "新标题", "tags": ["乙", "丙"]})
    assert r.status_code == 200 and r.json()["title"] == "新标题"
    assert _titles(api, tag="乙") == ["新标题"] and _titles(api, tag="甲") == []
    assert api.patch(f"/api/v1/content/{item['id']}", json={"url": ""}).status_code == 422

    link = api.post(f"/api/v1/content/{item['id']}/radar-links", json={"userid": "zhangsan"})
    path = link.json()["url"].split("/r/", 1)[1]
    archived = api.delete(f"/api/v1/content/{item['id']}")
    assert archived.status_code == 200 and archived.json()["archived_at"]
    assert _titles(api) == [] and _titles(api, archived=True) == ["新标题"]
    # links already sent answer 410 (withdrawn, not counted); new links and edits are refused
    anon = httpx.Client(base_url=str(api.base_url), timeout=10)
    assert anon.get(f"/r/{path}", follow_redirects=False).status_code == 410
    assert api.get(f"/api/v1/content/{item['id']}/stats").json()["opens"] == 0
    again = api.post(f"/api/v1/content/{item['id']}/radar-links", json={"userid": "zhangsan"})
    assert again.status_code == 409 and "archived" in again.json()["detail"]
    assert api.patch(f"/api/v1/content/{item['id']}", json={"title": "x"}).status_code == 409
    assert api.post(f"/api/v1/content/{item['id']}/restore").status_code == 200
    assert _titles(api) == ["新标题"]
    assert anon.get(f"/r/{path}", follow_redirects=False).status_code in (200, 302)
    assert api.get("/api/v1/content/424242").status_code == 404
    anon.close()
