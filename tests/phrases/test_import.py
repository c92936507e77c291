"""The XLSX import: a preview names each bad row; an import with a bad row writes nothing;
a good one creates its folders by name; an export imports back."""

from __future__ import annotations

import io
from typing import Any

import httpx
from openpyxl import Workbook

from tests.accounts.conftest import Team
from tests.conftest import CorpHandle
from tests.phrases.conftest import made, titles

HEAD = [
    "文件夹",
    "类型",
    "标题",
    "内容",
    "链接",
    "描述",
    "封面",
    "小程序AppID",
    "小程序页面",
    "可见部门",
]


def _xlsx(rows: list[list[Any]], head: list[str] = HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _post(client: httpx.Client, path: str, data: bytes) -> httpx.Response:
    return client.post(
        f"/api/v1/phrases/{path}",
        files={"file": ("话术.xlsx", data, "application/octet-stream")},
    )


GOOD = [
    ["开场白", "文本", "新客问候", "您好，我是您的专属顾问", None, None, None, None, None, None],
    ["活动", "链接", "会员日", None, "https://example.com/vip", "全场八折", None, None, None, None],
    [
        "活动",
        "小程序",
        "商城",
        None,
        None,
        None,
        "https://example.com/c.png",
        "wx123",
        "pages/i",
        "",
    ],
    [None, "文本", "通用结束语", "感谢您的咨询", None, None, None, None, None, None],
]


def test_preview_names_bad_rows_and_import_is_all_or_nothing(
    api: httpx.Client, corp: CorpHandle
) -> None:
    made(api.post("/api/v1/phrases/folders", json={"name": "开场白"}))
    bad = [
        *GOOD,
        ["活动", "链接", "缺链接", None, None, None, None, None, None, None],
        ["活动", "视频", "不支持", "x", None, None, None, None, None, None],
        ["活动", "图片", "图片", None, None, None, None, None, None, None],
        ["活动", "文本", "无此部门", "x", None, None, None, None, None, "不存在的部门"],
        ["活动", "文本", "", "没有标题", None, None, None, None, None, None],
        [None, None, None, None, None, None, None, None, None, None],  # blank: skipped
    ]
    preview = made(_post(api, "import/preview", _xlsx(bad)), 200)
    assert preview["rows"] == 9 and preview["created"] == 0
    assert preview["new_folders"] == ["活动"]  # 开场白 exists
    errors = {e["row"]: e["message"] for e in preview["errors"]}
    assert sorted(errors) == [6, 7, 8, 9, 10]
    assert "URL" in errors[6] and "文本" in errors[7] and "console" in errors[8]
    assert "不存在的部门" in errors[9] and "title" in errors[10]

    r = _post(api, "import", _xlsx(bad))
    assert r.status_code == 422 and "nothing was imported" in r.json()["detail"]
    assert titles(api) == []  # nothing half-written: no phrase, no new folder
    assert [f["name"] for f in api.get("/api/v1/phrases/folders").json()] == ["开场白"]

    done = made(_post(api, "import", _xlsx(GOOD)))
    assert done == {"rows": 4, "created": 4, "new_folders": ["活动"], "errors": []}
    folders = {f["name"]: f["phrases"] for f in api.get("/api/v1/phrases/folders").json()}
    assert folders == {"开场白": 1, "活动": 2}
    assert (
        api.get("/api/v1/phrases", params={"keyword": "会员日"}).json()["items"][0]["description"]
        == "全场八折"
    )

    # the export is the import's template: it imports back as the same phrases
    exported = api.get("/api/v1/phrases/export")
    for p in api.get("/api/v1/phrases", params={"limit": 200}).json()["items"]:
        assert api.delete(f"/api/v1/phrases/{p['id']}").status_code == 204
    again = made(_post(api, "import", exported.content))
    assert again["created"] == 4 and again["new_folders"] == []
    assert sorted(titles(api)) == sorted(r[2] for r in GOOD)


def test_not_a_workbook_and_missing_columns(api: httpx.Client, corp: CorpHandle) -> None:
    r = _post(api, "import/preview", b"PK\x03\x04 not really a zip")
    assert r.status_code == 422 and "xlsx" in r.json()["detail"]
    r = _post(api, "import/preview", "标题,内容\n你好,世界".encode())
    assert r.status_code == 422
    r = _post(api, "import/preview", _xlsx([["a"]], head=["名字"]))
    assert r.status_code == 422 and "类型" in r.json()["detail"]
    r = _post(api, "import", _xlsx([]))
    assert r.status_code == 422 and "no phrases" in r.json()["detail"]


async def test_departments_by_name_and_staff_may_not_import(
    as_role: dict[str, httpx.Client], team: Team
) -> None:
    admin, staff = as_role["admin"], as_role["staff"]
    depts = admin.get("/api/v1/departments").json()
    name = next(d["name"] for d in depts if d["parent_id"] is not None)
    rows = [["内部", "文本", "部门专属", "仅本部门可见", None, None, None, None, None, name]]
    assert _post(staff, "import/preview", _xlsx(rows)).status_code == 403
    assert _post(staff, "import", _xlsx(rows)).status_code == 403
    made(_post(admin, "import", _xlsx(rows)))
    got = admin.get("/api/v1/phrases", params={"keyword": "部门专属"}).json()["items"][0]
    assert got["departments"] == [name] and got["folder"] == "内部"
