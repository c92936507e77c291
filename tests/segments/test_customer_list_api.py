"""The customer list over real HTTP, against a synced sandbox corp: its count is the segment
preview's count of the same rule, lost customers are filtered by the tags they show, and
customers without a first add page like the others."""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select, update

from siyu.customers import changelog
from siyu.customers.models import Customer
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
        items.extend(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


def count(api: httpx.Client, **params: Any) -> int:
    r = api.get("/api/v1/customers/count", params=params)
    assert r.status_code == 200, r.text
    return int(r.json()["count"])


def preview(api: httpx.Client, rule: dict[str, Any], include_deleted: bool = False) -> int:
    r = api.post(
        "/api/v1/segments/preview", json={"rule": rule, "include_deleted": include_deleted}
    )
    assert r.status_code == 200, r.text
    return int(r.json()["count"])


def test_count_is_the_previews_count(
    api: httpx.Client, live: CorpHandle, db: Database, sb: Sandbox
) -> None:
    everyone = all_pages(api, limit=500)
    tagged = Counter(t["tag_id"] for c in everyone for t in c["tags"])
    a, b, c = (t for t, _ in tagged.most_common(3))
    userid = Counter(u for c in everyone for u in c["userids"]).most_common(1)[0][0]
    detail = api.get(f"/api/v1/customers/{everyone[0]['id']}").json()
    add_way = detail["relations"][0]["add_way"]
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"tags_all": [a, b]}, {"type": "tags", "match": "all", "tag_ids": [a, b]}),
        ({"tags_any": [b, c]}, {"type": "tags", "match": "any", "tag_ids": [b, c]}),
        ({"tags_none": [a]}, {"type": "tags", "match": "none", "tag_ids": [a]}),
        ({"userid": userid}, {"type": "employee", "userids": [userid]}),
        ({"add_way": add_way}, {"type": "add_way", "values": [add_way]}),
        (
            {"tags_all": [a], "tags_none": [c], "userid": userid},
            {
                "type": "and",
                "terms": [
                    {"type": "tags", "match": "all", "tag_ids": [a]},
                    {"type": "tags", "match": "none", "tag_ids": [c]},
                    {"type": "employee", "userids": [userid]},
                ],
            },
        ),
    ]
    for params, rule in cases:
        n = count(api, **params)
        assert n == preview(api, rule), params
        assert n == len(all_pages(api, limit=50, **params)), params
    assert 0 < count(api, tags_all=[a, b]) < len(everyone)
    # the list's export (plain rows, streamed) has the segment export's rows
    listed = api.get("/api/v1/customers/export", params={"format": "csv", "tags_all": [a, b]})
    assert listed.status_code == 200, listed.text
    rule = {"type": "tags", "match": "all", "tag_ids": [a, b]}
    segment = api.post("/api/v1/segments/preview/export?format=csv", json={"rule": rule})
    assert segment.status_code == 200, segment.text
    rows = list(csv.reader(io.StringIO(listed.content.decode("utf-8-sig"))))
    want = list(csv.reader(io.StringIO(segment.content.decode("utf-8-sig"))))
    assert rows[0] == want[0] and len(rows) == count(api, tags_all=[a, b]) + 1
    assert sorted(rows[1:]) == sorted(want[1:])
    dates = [r[6] for r in rows[1:]]
    assert dates == sorted(dates, reverse=True)  # the list's order: newest first
    # in both directions the export's rows come in the pages' order (ties by id, no first add
    # last), the database sorting each batch
    for sort in ("-added_at", "added_at"):
        params = {"tags_any": [a], "sort": sort}
        paged = [x["id"] for x in all_pages(api, limit=50, **params)]
        got = api.get("/api/v1/customers/export", params={"format": "csv", **params})
        exported = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))[1:]
        assert [int(r[0]) for r in exported] == paged, sort

    # a customer lost with tag a on its only relation: lost customers show no tags, and
    # neither the list nor the preview counts them as tagged
    lost = next(
        x for x in everyone if len(x["userids"]) == 1 and a in {t["tag_id"] for t in x["tags"]}
    )
    sb.act("customer_delete", userid=lost["userids"][0], external_userid=lost["external_userid"])
    events_settled(db)
    with_lost = {x["id"] for x in all_pages(api, include_deleted=True)}
    assert lost["id"] in with_lost
    tag_a = {"type": "tags", "match": "any", "tag_ids": [a]}
    found = all_pages(api, tags_any=[a], include_deleted=True)
    assert lost["id"] not in {x["id"] for x in found}
    assert len(found) == count(api, tags_any=[a], include_deleted=True)
    assert len(found) == preview(api, tag_a, include_deleted=True)
    assert count(api, tags_none=[a], include_deleted=True) == preview(
        api, {"type": "tags", "match": "none", "tag_ids": [a]}, include_deleted=True
    )


def test_customers_without_a_first_add_come_last_in_every_order(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))

    async def forget_first_adds() -> list[int]:
        async with db.unit_of_work() as s:
            ids = list((await s.scalars(select(Customer.id).order_by(Customer.id))).all())[::5]
            await s.execute(
                update(Customer).where(Customer.id.in_(ids)).values(first_added_at=None)
            )
            await changelog.record(s, corp.id, ids)
            return ids

    undated = set(asyncio.run(forget_first_adds()))
    total = count(api)
    for sort in ("-added_at", "added_at", "-id", "id"):
        items = all_pages(api, limit=7, sort=sort)
        ids = [x["id"] for x in items]
        assert len(ids) == total == len(set(ids)), sort
        if sort.endswith("added_at"):
            assert {x["id"] for x in items[-len(undated) :]} == undated, sort
            dated = [(x["first_added_at"], x["id"]) for x in items[: -len(undated)]]
            assert dated == sorted(dated, reverse=sort.startswith("-")), sort
    assert count(api, added_from="2000-01-01T00:00:00Z") == total - len(undated)
