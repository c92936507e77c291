"""Customer REST API over real HTTP: filters, keyset pagination, detail, export, remark."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import httpx
from openpyxl import load_workbook

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, events_settled, full_sync


def all_pages(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = api.get(
            "/api/v1/customers", params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert r.status_code == 200, r.text
        page = r.json()
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_list_pages_through_every_customer(
    api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox
) -> None:
    asyncio.run(full_sync(db, corp))
    total = sb.get("/sandbox/info")["counts"]["customers"]
    for sort in ("-added_at", "added_at", "id", "-id"):
        items = all_pages(api, limit=7, sort=sort)
        ids = [c["id"] for c in items]
        assert len(ids) == total and len(set(ids)) == total
        key = "first_added_at" if sort.endswith("added_at") else "id"
        values = [(c[key], c["id"]) for c in items]
        assert values == sorted(values, reverse=sort.startswith("-"))
    assert api.get("/api/v1/customers/count").json() == {"count": total}
    assert api.get("/api/v1/customers", params={"cursor": "garbage!"}).status_code == 422
    assert api.get("/api/v1/customers", params={"limit": 0}).status_code == 422


def test_filters(api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox) -> None:
    asyncio.run(full_sync(db, corp))
    everyone = all_pages(api, limit=500)
    tag_counts: dict[str, int] = {}
    for c in everyone:
        for t in c["tags"]:
            tag_counts[t["tag_id"]] = tag_counts.get(t["tag_id"], 0) + 1
    a, b = sorted(tag_counts, key=lambda t: -tag_counts[t])[:2]
    has = lambda c, t: t in {x["tag_id"] for x in c["tags"]}  # noqa: E731
    any_ = all_pages(api, tags_any=[a, b])
    assert {c["id"] for c in any_} == {c["id"] for c in everyone if has(c, a) or has(c, b)}
    all_ = all_pages(api, tags_all=[a, b])
    assert {c["id"] for c in all_} == {c["id"] for c in everyone if has(c, a) and has(c, b)}
    none = all_pages(api, tags_none=[a])
    assert {c["id"] for c in none} == {c["id"] for c in everyone if not has(c, a)}
    employee = everyone[0]["userids"][0]
    mine = all_pages(api, userid=employee)
    assert mine and all(employee in c["userids"] for c in mine)
    assert len(mine) == sum(1 for c in everyone if employee in c["userids"])
    name = everyone[3]["name"]
    assert any(c["name"] == name for c in all_pages(api, keyword=name))
    dates = sorted(c["first_added_at"] for c in everyone)
    mid = dates[len(dates) // 2]
    recent = all_pages(api, added_from=mid)
    assert len(recent) == sum(1 for d in dates if d >= mid)
    bad = api.get("/api/v1/customers", params={"added_from": dates[-1], "added_to": dates[0]})
    assert bad.status_code == 422


def test_deleted_customers_stay_as_history(
    api: httpx.Client, live: CorpHandle, db: Database, sb: Sandbox
) -> None:
    userid = sb.get("/sandbox/employees")[0]["userid"]
    ext = sb.act("add_customer", userid=userid, state="poster", name="韩梅梅")["external_userid"]
    events_settled(db)
    found = all_pages(api, state="poster")
    assert [c["external_userid"] for c in found] == [ext]
    sb.act("customer_delete", userid=userid, external_userid=ext)
    events_settled(db)
    assert all_pages(api, keyword="韩梅梅") == []
    kept = all_pages(api, keyword="韩梅梅", include_deleted=True)
    assert len(kept) == 1 and kept[0]["deleted_at"]
    detail = api.get(f"/api/v1/customers/{kept[0]['id']}").json()
    assert detail["relations"][0]["deleted_by"] == "customer"
    assert [e["kind"] for e in detail["timeline"]] == ["deleted_by_customer", "added"]


def test_export_csv_and_xlsx(
    api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox
) -> None:
    asyncio.run(full_sync(db, corp))
    total = sb.get("/sandbox/info")["counts"]["customers"]
    r = api.get("/api/v1/customers/export", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "external_userid", "姓名"] and len(rows) == total + 1
    x = api.get("/api/v1/customers/export", params={"format": "xlsx", "keyword": rows[1][2]})
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][2] == "姓名" and any(v[2] == rows[1][2] for v in values[1:])
    assert api.get("/api/v1/customers/export", params={"format": "pdf"}).status_code == 422


def test_remark_is_written_to_wecom_first(
    api: httpx.Client, corp: CorpHandle, db: Database, sb: Sandbox
) -> None:
    asyncio.run(full_sync(db, corp))
    c = all_pages(api, limit=5)[0]
    r = api.put(
        f"/api/v1/customers/{c['id']}/remark",
        json={"userid": c["userids"][0], "remark": "VIP-王总", "description": "采购负责人"},
    )
    assert r.status_code == 200, r.text
    rel = next(x for x in r.json()["relations"] if x["userid"] == c["userids"][0])
    assert rel["remark"] == "VIP-王总"
    truth = sb.get(f"/sandbox/customers/{c['external_userid']}")
    assert (
        next(f for f in truth["follows"] if f["userid"] == c["userids"][0])["remark"] == "VIP-王总"
    )
    too_long = api.put(
        f"/api/v1/customers/{c['id']}/remark", json={"userid": c["userids"][0], "remark": "长" * 21}
    )
    assert too_long.status_code == 422
    stranger = api.put(
        f"/api/v1/customers/{c['id']}/remark", json={"userid": "nobody", "remark": "x"}
    )
    assert stranger.status_code == 422
    assert api.get("/api/v1/customers/999999").status_code == 404
