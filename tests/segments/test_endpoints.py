"""Segments and rule tags over HTTP against a served Siyu synced from the sandbox."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import select

from siyu.accounts import service as accounts
from siyu.corps import service as corps
from siyu.customers.models import Customer, FollowRelation, RelationTag
from siyu.db.session import Database
from siyu.sync import service as sync
from tests.conftest import CorpHandle, Sandbox, Siyu, wait_for

SECRET = "test-secret-key"


async def _sync(db: Database, corp: CorpHandle) -> None:
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        run = await sync.start_or_resume(s, c, trigger="test")
    async with corps.wecom_client(c, secret_key=SECRET) as client:
        await sync.run_full_sync(db, corp.id, run.id, client)


async def _tag_usage(db: Database, corp_id: int) -> Counter[str]:
    """tag id → live customers carrying it."""
    async with db.unit_of_work() as s:
        rows = await s.execute(
            select(RelationTag.tag_id, RelationTag.customer_id)
            .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
            .where(RelationTag.corp_id == corp_id, FollowRelation.deleted_at.is_(None))
            .distinct()
        )
        return Counter(t for t, _ in rows.all())


def _all_pages(api: httpx.Client, path: str, limit: int, **query: Any) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": limit, **query}
        if cursor:
            params["cursor"] = cursor
        r = api.get(path, params=params)
        assert r.status_code == 200, r.text
        items.extend(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


def _preview(api: httpx.Client, rule: dict[str, Any], **extra: Any) -> int:
    r = api.post("/api/v1/segments/preview", json={"rule": rule, **extra})
    assert r.status_code == 200, r.text
    return int(r.json()["count"])


async def test_segment_lifecycle(
    db: Database, sb: Sandbox, corp: CorpHandle, siyu: Siyu, api: httpx.Client
) -> None:
    await _sync(db, corp)
    usage = await _tag_usage(db, corp.id)
    (a, na), (b, _nb) = usage.most_common(2)
    rule = {
        "type": "or",
        "terms": [{"type": "tags", "tag_ids": [a]}, {"type": "tags", "tag_ids": [b]}],
    }
    expected = api.get("/api/v1/customers/count", params={"tags_any": [a, b]}).json()["count"]
    assert _preview(api, rule) == expected > na > 0
    assert _preview(api, {"type": "not", "term": rule}) == (
        api.get("/api/v1/customers/count").json()["count"] - expected
    )

    r = api.post(
        "/api/v1/segments",
        json={"name": "高意向", "description": "两个热门标签", "owner": "运营", "rule": rule},
    )
    assert r.status_code == 201, r.text
    seg = r.json()
    assert api.post("/api/v1/segments", json={"name": "高意向", "rule": rule}).status_code == 409
    assert api.get(f"/api/v1/segments/{seg['id']}/count").json()["count"] == expected

    # Members: keyset pages, same columns as the customer list.
    members = _all_pages(api, f"/api/v1/segments/{seg['id']}/members", limit=7)
    listed = _all_pages(api, "/api/v1/customers", limit=500, tags_any=[a, b])
    assert len(members) == expected
    assert sorted(m["id"] for m in members) == sorted(c["id"] for c in listed)
    by_id = {c["id"]: c for c in listed}
    assert all(m == by_id[m["id"]] for m in members)

    # Export: one CSV row per member.
    r = api.get(f"/api/v1/segments/{seg['id']}/export", params={"format": "csv"})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == expected + 1 and rows[0][0] == "ID"
    r = api.get(f"/api/v1/segments/{seg['id']}/export", params={"format": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"

    # Freeze, then change the data: the snapshot keeps the exact old list.
    r = api.post(f"/api/v1/segments/{seg['id']}/snapshots", json={"purpose": "群发 #1"})
    assert r.status_code == 201, r.text
    snap = r.json()
    assert snap["count"] == expected
    outsider = next(c for c in _all_pages(api, "/api/v1/customers", 500) if c["id"] not in by_id)
    rel = api.get(f"/api/v1/customers/{outsider['id']}").json()["relations"][0]
    sb.put("/sandbox/config", {"callback_url": f"{siyu.url}/wecom/callback/{corp.wecom_corp_id}"})
    sb.act(
        "employee_edit",
        userid=rel["userid"],
        external_userid=outsider["external_userid"],
        add_tag=[a],
    )
    wait_for(lambda: _preview(api, rule) == expected + 1, what="the callback's tag in the preview")
    frozen = _all_pages(api, f"/api/v1/segment-snapshots/{snap['id']}/members", limit=50)
    assert sorted(m["id"] for m in frozen) == sorted(by_id)
    assert [s["id"] for s in api.get(f"/api/v1/segments/{seg['id']}/snapshots").json()] == [
        snap["id"]
    ]

    # Edit and delete.
    r = api.patch(f"/api/v1/segments/{seg['id']}", json={"rule": {"type": "tags", "tag_ids": [a]}})
    assert r.status_code == 200 and r.json()["rule"]["tag_ids"] == [a]
    assert api.delete(f"/api/v1/segments/{seg['id']}").status_code == 204
    assert api.get(f"/api/v1/segments/{seg['id']}").status_code == 404
    assert api.get(f"/api/v1/segment-snapshots/{snap['id']}").status_code == 200


async def test_invalid_rules_are_refused_with_reasons(
    db: Database, sb: Sandbox, corp: CorpHandle, siyu: Siyu, api: httpx.Client
) -> None:
    await _sync(db, corp)
    cases = [
        ({"type": "and", "terms": []}, "at least 1"),
        ({"type": "tags", "tag_ids": ["no-such-tag"]}, "unknown tag id(s): no-such-tag"),
        ({"type": "added", "within_days": 0}, "greater than or equal to 1"),
        ({"type": "added", "from_date": "2026-02-01", "to_date": "2026-01-01"}, "from_date"),
        ({"type": "added"}, "either from_date/to_date or within_days"),
        ({"type": "event", "kind": "flew_away", "within_days": 3}, "unknown event kind"),
        ({"type": "employee", "userids": ["nobody"]}, "unknown employee(s): nobody"),
        ({"type": "department", "dept_ids": [987654]}, "unknown department(s): 987654"),
        ({"type": "colour", "values": ["red"]}, "colour"),
        ({"type": "channel", "groups": ["没有这个分组"]}, "unknown channel group(s): 没有这个分组"),
        ({"type": "channel"}, "give channel states or channel groups"),
    ]
    for rule, reason in cases:
        r = api.post("/api/v1/segments/preview", json={"rule": rule})
        assert r.status_code == 422, (rule, r.text)
        assert reason in r.text, (rule, r.text)


async def test_other_corps_cannot_see_segments(
    db: Database, sb: Sandbox, corp: CorpHandle, siyu: Siyu, api: httpx.Client
) -> None:
    await _sync(db, corp)
    r = api.post(
        "/api/v1/segments", json={"name": "全部", "rule": {"type": "deleted", "value": False}}
    )
    assert r.status_code == 201, r.text
    async with db.unit_of_work() as s:
        from siyu.corps.models import Corp

        other = Corp(
            wecom_corp_id="ww-other", name="别家", secret_enc="-", token_enc="-", aes_key_enc="-"
        )
        s.add(other)
        await s.flush()
        key = await corps.create_api_key(s, other, name="other")
    with httpx.Client(base_url=siyu.url, headers={"Authorization": f"Bearer {key}"}) as them:
        assert them.get(f"/api/v1/segments/{r.json()['id']}").status_code == 404
        assert them.get(f"/api/v1/segments/{r.json()['id']}/members").status_code == 404
        assert them.get("/api/v1/segments").json() == []
        assert _preview(them, {"type": "deleted", "value": False}) == 0
    assert _preview(api, {"type": "deleted", "value": False}) > 0


WRITER = """
import asyncio, sys
from sqlalchemy import insert
import siyu.models  # every table, for the foreign keys
from siyu.customers.models import RelationTag
from siyu.db.session import Database
from siyu.customers import changelog

async def main(url, corp_id, relation_id, customer_id, tag_id):
    db = Database.open(url)
    async with db.unit_of_work() as s:
        await s.execute(insert(RelationTag), {"relation_id": relation_id, "tag_id": tag_id,
                                              "corp_id": corp_id, "customer_id": customer_id})
        await changelog.record(s, corp_id, [customer_id])
    await db.dispose()

a = sys.argv[1:]
asyncio.run(main(a[0], int(a[1]), int(a[2]), int(a[3]), a[4]))
"""


async def test_change_written_by_another_process_shows_in_preview(
    db: Database, sb: Sandbox, corp: CorpHandle, siyu: Siyu, api: httpx.Client
) -> None:
    await _sync(db, corp)
    usage = await _tag_usage(db, corp.id)
    tag = usage.most_common()[-1][0]
    rule = {"type": "tags", "tag_ids": [tag]}
    before = _preview(api, rule)  # the served process has built its index now
    async with db.unit_of_work() as s:
        tagged = select(RelationTag.customer_id).where(RelationTag.tag_id == tag)
        row = (
            await s.execute(
                select(FollowRelation.id, FollowRelation.customer_id)
                .join(Customer, Customer.id == FollowRelation.customer_id)
                .where(
                    FollowRelation.corp_id == corp.id,
                    FollowRelation.deleted_at.is_(None),
                    Customer.deleted_at.is_(None),
                    FollowRelation.customer_id.not_in(tagged),
                )
                .limit(1)
            )
        ).one()
    args = [db.url, str(corp.id), str(row[0]), str(row[1]), tag]
    done = subprocess.run(  # noqa: ASYNC221  (another process, on purpose)
        [sys.executable, "-c", WRITER, *args], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert _preview(api, rule) == before + 1  # the very next preview, no waiting


def _draft_pages(api: httpx.Client, rule: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        body = {"rule": rule, "limit": limit, "cursor": cursor}
        r = api.post("/api/v1/segments/preview/members", json=body)
        assert r.status_code == 200, r.text
        items.extend(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


async def test_draft_rule_members_and_export(
    db: Database, sb: Sandbox, corp: CorpHandle, siyu: Siyu, api: httpx.Client
) -> None:
    await _sync(db, corp)
    usage = await _tag_usage(db, corp.id)
    (a, _), (b, _) = usage.most_common(2)
    rule = {"type": "and", "terms": [{"type": "tags", "tag_ids": [a]}]}
    rule["terms"].append({"type": "not", "term": {"type": "tags", "tag_ids": [b]}})
    expected = _preview(api, rule)
    assert expected > 7

    # Pages of the draft are the saved segment's pages, item for item.
    draft = _draft_pages(api, rule, limit=7)
    seg = api.post("/api/v1/segments", json={"name": "草稿对照", "rule": rule}).json()
    saved = _all_pages(api, f"/api/v1/segments/{seg['id']}/members", limit=7)
    assert len(draft) == expected and draft == saved
    listed = {c["id"]: c for c in _all_pages(api, "/api/v1/customers", 500, tags_any=[a])}
    assert all(m == listed[m["id"]] and b not in {t["tag_id"] for t in m["tags"]} for m in draft)
    first = api.post("/api/v1/segments/preview/members", json={"rule": rule}).json()
    assert len(first["items"]) == min(50, expected)  # limit defaults to 50

    # Exports: the saved export's columns and rows.
    for fmt in ("csv", "xlsx"):
        r = api.post("/api/v1/segments/preview/export", params={"format": fmt}, json={"rule": rule})
        assert r.status_code == 200, r.text
        saved_file = api.get(f"/api/v1/segments/{seg['id']}/export", params={"format": fmt})
        assert r.headers["content-type"] == saved_file.headers["content-type"]
        assert 'filename="segment-draft.' in r.headers["content-disposition"]
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
            assert rows == list(csv.reader(io.StringIO(saved_file.content.decode("utf-8-sig"))))
            assert len(rows) == expected + 1 and {int(x[0]) for x in rows[1:]} == {
                m["id"] for m in draft
            }
        else:
            assert r.content[:2] == b"PK"

    # Bad input: the same 422 reasons as the saved segment's endpoints.
    bad = [
        ({"rule": {"type": "tags", "tag_ids": ["no-such-tag"]}}, "unknown tag id(s): no-such-tag"),
        ({"rule": {"type": "and", "terms": []}}, "at least 1"),
        ({"rule": rule, "limit": 0}, "greater than or equal to 1"),
        ({"rule": rule, "limit": 501}, "less than or equal to 500"),
        ({"rule": rule, "cursor": "garbage"}, "cursor"),
        ({"rule": rule, "colour": "red"}, "colour"),
        ({"limit": 5}, "rule"),
    ]
    for body, reason in bad:
        r = api.post("/api/v1/segments/preview/members", json=body)
        assert r.status_code == 422 and reason in r.text, (body, r.text)
    r = api.post("/api/v1/segments/preview/export", params={"format": "pdf"}, json={"rule": rule})
    assert r.status_code == 422 and "format must be csv or xlsx" in r.text
    r = api.post("/api/v1/segments/preview/export", json={"rule": {"type": "gender"}})
    assert r.status_code == 422 and "values" in r.text

    # Data scope: staff read drafts and segments within their scope (tests/segments/
    # test_scope.py), and never define them
    async with db.unit_of_work() as s:
        userid = (await s.scalars(select(FollowRelation.userid).limit(1))).one()
        await accounts.create_user(
            s, corp.id, username="导购", role="staff", userid=userid, password="pw-123456789"
        )
    staff = httpx.Client(base_url=siyu.url, timeout=30)
    r = staff.post("/api/v1/auth/login", json={"username": "导购", "password": "pw-123456789"})
    assert r.status_code == 200, r.text
    staff.headers["X-Siyu-CSRF"] = staff.cookies["siyu_csrf"]
    for path in ("/api/v1/segments/preview/members", "/api/v1/segments/preview/export"):
        assert staff.post(path, json={"rule": rule}).status_code == 200, path
    assert staff.get(f"/api/v1/segments/{seg['id']}/members").status_code == 200
    assert staff.post("/api/v1/segments", json={"name": "x", "rule": rule}).status_code == 403
    assert staff.post(f"/api/v1/segments/{seg['id']}/snapshots").status_code == 403
    staff.close()
