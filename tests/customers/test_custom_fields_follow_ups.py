"""Admin-defined custom fields (definitions, order, values by type, Chinese sentences) and each
employee's next follow-up with the signed-in employee's list by the corp's days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from siyu.db.session import Database
from tests.accounts.conftest import Team, sign_in
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import Siyu
from tests.customers.test_profile import followed_by

FIELDS = "/api/v1/customer-fields"


@pytest.fixture
def clients(siyu: Siyu, team: Team) -> Iterator[dict[str, httpx.Client]]:
    out = {name: sign_in(siyu, name) for name in ("admin", "operator", "staff")}
    yield out
    for c in out.values():
        c.close()


async def test_custom_fields_defined_by_an_admin_filled_per_customer(
    clients: dict[str, httpx.Client], team: Team, db: Database
) -> None:
    admin, staff = clients["admin"], clients["staff"]
    assert staff.post(FIELDS, json={"name": "预算", "type": "number"}).status_code == 403
    assert (
        clients["operator"].post(FIELDS, json={"name": "预算", "type": "number"}).status_code == 403
    )
    budget = admin.post(FIELDS, json={"name": "预算", "type": "number"}).json()
    since = admin.post(FIELDS, json={"name": "首次到店", "type": "date"}).json()
    size = admin.post(
        FIELDS, json={"name": "尺码", "type": "select", "options": ["S", "M", "L"]}
    ).json()
    hobby = admin.post(FIELDS, json={"name": "爱好", "type": "text"}).json()
    for body, sentence in [
        ({"name": "预算", "type": "text"}, "已有名为「预算」的字段"),
        ({"name": "x", "type": "color"}, "字段类型只能是"),
        ({"name": "颜色", "type": "select", "options": []}, "至少需要一个选项"),
        ({"name": "颜色", "type": "select", "options": ["红", "红"]}, "选项不能重复"),
        ({"name": "备注二", "type": "text", "options": ["a"]}, "只有单选字段可以设置选项"),
        ({"name": "名" * 21, "type": "text"}, "字段名称最多 20 个字"),
    ]:
        r = admin.post(FIELDS, json=body)
        assert r.status_code in (409, 422) and sentence in r.json()["detail"], r.text
    ids = [hobby["id"], size["id"], budget["id"], since["id"]]
    assert [f["id"] for f in admin.put(f"{FIELDS}/order", json={"ids": ids}).json()] == ids
    assert admin.put(f"{FIELDS}/order", json={"ids": ids[:2]}).status_code == 422
    assert [f["name"] for f in staff.get(FIELDS).json()] == ["爱好", "尺码", "预算", "首次到店"]

    cid, _ = await followed_by(db, team.staff_userid)
    url = f"/api/v1/customers/{cid}/profile"
    for value, sentence in [
        ({"field_id": budget["id"], "value": "很多"}, "「预算」须是数字"),
        ({"field_id": budget["id"], "value": "nan"}, "「预算」须是数字"),
        ({"field_id": budget["id"], "value": "1_000"}, "「预算」须是数字"),
        ({"field_id": budget["id"], "value": "1e400"}, "绝对值小于 10^15"),
        ({"field_id": since["id"], "value": "2026/05/01"}, "「首次到店」须是日期"),
        ({"field_id": size["id"], "value": "XL"}, "「尺码」只能选：S、M、L"),
        ({"field_id": hobby["id"], "value": "长" * 201}, "「爱好」最多 200 个字"),
    ]:
        r = staff.put(url, json={"custom_fields": [value]})
        assert r.status_code == 422 and sentence in r.json()["detail"], r.text
    r = staff.put(
        url,
        json={
            "custom_fields": [
                {"field_id": budget["id"], "value": " 5000.5 "},
                {"field_id": since["id"], "value": "2026-05-01"},
                {"field_id": size["id"], "value": "M"},
                {"field_id": hobby["id"], "value": "茶艺"},
            ]
        },
    )
    assert r.status_code == 200, r.text
    values = {f["name"]: f["value"] for f in r.json()["custom_fields"]}
    assert values == {"爱好": "茶艺", "尺码": "M", "预算": "5000.5", "首次到店": "2026-05-01"}
    # clearing one; the timeline names the fields
    r = staff.put(url, json={"custom_fields": [{"field_id": hobby["id"], "value": ""}]})
    assert {f["name"]: f["value"] for f in r.json()["custom_fields"]}["爱好"] is None
    timeline = staff.get(f"/api/v1/customers/{cid}").json()["timeline"]
    labels = [
        c["label"] for e in timeline if e["kind"] == "profile_changed" for c in e["data"]["changes"]
    ]
    assert {"预算", "首次到店", "尺码", "爱好"} <= set(labels)
    # renaming keeps the values; deleting a field deletes its values
    admin.patch(f"{FIELDS}/{size['id']}", json={"name": "衣服尺码", "options": ["M", "L"]})
    values = {f["name"]: f["value"] for f in staff.get(url).json()["custom_fields"]}
    assert values["衣服尺码"] == "M"
    assert admin.delete(f"{FIELDS}/{budget['id']}").status_code == 204
    assert "预算" not in {f["name"] for f in staff.get(url).json()["custom_fields"]}
    assert admin.delete(f"{FIELDS}/{budget['id']}").status_code == 404


async def test_follow_ups_by_the_corps_days(
    clients: dict[str, httpx.Client], team: Team, db: Database
) -> None:
    staff, admin = clients["staff"], clients["admin"]
    tz = ZoneInfo("Asia/Shanghai")  # the corp's default zone
    today = datetime.now(tz).date()
    at = lambda d, h: datetime.combine(d, time(h), tzinfo=tz).isoformat()  # noqa: E731
    mine = await _three_customers(db, team.staff_userid)
    plan = {
        mine[0]: (at(today - timedelta(days=2), 10), "回访上次试用"),
        mine[1]: (at(today, 0), "今天电话"),
        mine[2]: (at(today + timedelta(days=1), 23), "发新品资料"),
    }
    for cid, (due, note) in plan.items():
        r = staff.put(f"/api/v1/customers/{cid}/follow-up", json={"due_at": due, "note": note})
        assert r.status_code == 200, r.text
    got = {
        due: [
            i["note"]
            for i in staff.get("/api/v1/customers/follow-ups/mine", params={"due": due}).json()[
                "items"
            ]
        ]
        for due in ("overdue", "today", "upcoming")
    }
    assert got == {"overdue": ["回访上次试用"], "today": ["今天电话"], "upcoming": ["发新品资料"]}
    item = staff.get("/api/v1/customers/follow-ups/mine", params={"due": "overdue"}).json()[
        "items"
    ][0]
    assert item["overdue"] and item["customer_id"] == mine[0] and item["name"]
    # pages
    staff.put(f"/api/v1/customers/{mine[0]}/follow-up", json={"due_at": at(today, 9)})
    p1 = staff.get("/api/v1/customers/follow-ups/mine", params={"due": "today", "limit": 1}).json()
    p2 = staff.get(
        "/api/v1/customers/follow-ups/mine",
        params={"due": "today", "limit": 1, "cursor": p1["next_cursor"]},
    ).json()
    assert [i["customer_id"] for i in p1["items"] + p2["items"]] == [mine[1], mine[0]]
    assert p2["next_cursor"] is None
    # shown in the profile, cleared with null
    assert (
        staff.get(f"/api/v1/customers/{mine[2]}/profile").json()["follow_up"]["note"]
        == "发新品资料"
    )
    assert (
        staff.put(f"/api/v1/customers/{mine[2]}/follow-up", json={"due_at": None}).status_code
        == 200
    )
    assert staff.get(f"/api/v1/customers/{mine[2]}/profile").json()["follow_up"] is None
    # bad input
    for params in ({"due": "soon"}, {"due": "today", "cursor": "xx"}):
        r = staff.get("/api/v1/customers/follow-ups/mine", params=params)
        assert r.status_code == 422, r.text
    r = staff.put(f"/api/v1/customers/{mine[1]}/follow-up", json={"due_at": "2026-05-01T10:00:00"})
    assert r.status_code == 422  # a time needs its zone
    r = staff.put(
        f"/api/v1/customers/{mine[1]}/follow-up", json={"due_at": at(today, 9), "note": "长" * 101}
    )
    assert r.status_code == 422 and "最多 100 个字" in r.json()["detail"]
    # an admin without a WeCom member has no list of their own
    r = admin.get("/api/v1/customers/follow-ups/mine")
    assert r.status_code == 422 and "未关联企业微信成员" in r.json()["detail"]


async def _three_customers(db: Database, userid: str) -> list[int]:
    from sqlalchemy import select

    from siyu.customers.models import FollowRelation

    async with db.unit_of_work() as s:
        ids = (
            await s.scalars(
                select(FollowRelation.customer_id)
                .where(FollowRelation.userid == userid, FollowRelation.deleted_at.is_(None))
                .order_by(FollowRelation.customer_id)
                .limit(3)
            )
        ).all()
    assert len(ids) == 3
    return [int(i) for i in ids]
