"""The issue's scenario end to end: a customer scans channel codes in the sandbox."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select

from siyu.acquisition.models import ChannelAdd, CustomerSource
from siyu.customers.models import Customer, FollowRelation, RelationTag, Tag
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, events_settled, wait_for


def q(db: Database, stmt: Any) -> list[Any]:
    async def go() -> list[Any]:
        async with db.unit_of_work() as s:
            return list((await s.execute(stmt)).all())

    return asyncio.run(go())


def relation(db: Database, ext: str, userid: str) -> FollowRelation | None:
    rows = q(
        db,
        select(FollowRelation)
        .join(Customer, Customer.id == FollowRelation.customer_id)
        .where(Customer.external_userid == ext, FollowRelation.userid == userid),
    )
    return rows[0][0] if rows else None


def tags_of(db: Database, ext: str, userid: str) -> set[str]:
    rows = q(
        db,
        select(RelationTag.tag_id)
        .join(FollowRelation, FollowRelation.id == RelationTag.relation_id)
        .join(Customer, Customer.id == FollowRelation.customer_id)
        .where(Customer.external_userid == ext, FollowRelation.userid == userid),
    )
    return {r[0] for r in rows}


def create(api: httpx.Client, **body: Any) -> dict[str, Any]:
    r = api.post("/api/v1/acquisition/channels", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_scan_attributes_greets_tags_and_locks(
    live: CorpHandle, sb: Sandbox, db: Database, api: httpx.Client
) -> None:
    emps = sb.get("/sandbox/employees")
    a, b, c = (e["userid"] for e in emps[:3])
    names = {e["userid"]: e["name"] for e in emps}
    t1, t2 = (r[0] for r in q(db, select(Tag.tag_id).order_by(Tag.id).limit(2)))
    assert api.put(
        "/api/v1/acquisition/settings", json={"collision_lock": True, "loss_alerts": True}
    ).json()["collision_lock"]

    code = create(
        api,
        name="抖音广告",
        group_name="广告",
        userids=[a],
        tag_ids=[t1, t2],
        remark_template="{channel}-{nickname}",
        welcome={
            "text": "{nickname}您好，我是{employee}，很高兴为您服务",
            "attachments": [{"type": "link", "title": "新人礼包", "url": "https://example.com"}],
        },
    )
    assert len(code["state"]) <= 30 and code["config_id"] and code["qr_code"]

    scan = sb.act("scan", config_id=code["config_id"], name="李雷")
    ext = scan["external_userid"]
    assert scan["userid"] == a
    events_settled(db)

    # The welcome went out once, with the placeholders filled, on the event's welcome code.
    sent = [m for m in sb.get("/sandbox/welcome_messages") if m["external_userid"] == ext]
    assert len(sent) == 1
    assert sent[0]["welcome_code"] == scan["welcome_code"]
    assert sent[0]["text"] == f"李雷您好，我是{names[a]}，很高兴为您服务"
    assert sent[0]["attachments"][0]["link"]["title"] == "新人礼包"
    sends = api.get(f"/api/v1/acquisition/channels/{code['id']}/welcome_sends").json()
    assert [s["status"] for s in sends] == ["sent"]

    # Tags and remark written to WeCom and mirrored locally.
    wait_for(lambda: tags_of(db, ext, a) == {t1, t2}, what="auto tags")
    wait_for(lambda: (relation(db, ext, a) or FollowRelation()).remark == "抖音广告-李雷")
    truth = sb.get(f"/sandbox/customers/{ext}")["follows"][0]
    assert {t["tag_id"] for t in truth["tags"]} == {t1, t2} and truth["remark"] == "抖音广告-李雷"

    # Attributed: the customer's source is the code, and the stats count the add.
    src = q(db, select(CustomerSource.channel_id))
    assert [r[0] for r in src] == [code["id"]]
    st = api.get("/api/v1/acquisition/stats", params={"by": "channel"}).json()
    assert st["totals"]["adds"] == 1 and st["rows"][0]["label"] == "抖音广告"
    assert st["trend"][-1]["adds"] == 1

    # Under the collision lock, the same customer adding b through another code is a collision.
    other = create(api, name="门店", userids=[b])
    sb.act("scan", config_id=other["config_id"], external_userid=ext)
    events_settled(db)
    cols = api.get("/api/v1/acquisition/collisions").json()["items"]
    assert [(x["owner_userid"], x["other_userid"]) for x in cols] == [(a, b)]
    assert cols[0]["channel_name"] == "门店" and cols[0]["current_owner_userid"] == a
    msgs = wait_for(
        lambda: len(sb.get("/sandbox/app_messages")) == 2 and sb.get("/sandbox/app_messages"),
        what="two app messages",
    )
    assert sorted(m["touser"][0] for m in msgs) == sorted([a, b])
    owner = api.get(f"/api/v1/acquisition/owners/{src_customer(db)}").json()
    assert owner["userid"] == a
    # The second channel is in the timeline, the source stays the first one.
    assert [r[0] for r in q(db, select(CustomerSource.channel_id))] == [code["id"]]
    assert len(q(db, select(ChannelAdd.id))) == 2
    source = api.get(f"/api/v1/acquisition/sources/{src_customer(db)}").json()
    assert source["channel"] == "抖音广告" and source["userid"] == a
    assert [x["channel"] for x in source["channels"]] == ["抖音广告", "门店"]

    # Rotation: a capped at 1 add a day leaves the contact way once the cap is reached.
    rot = create(api, name="轮询", userids=[a, c], staff=[{"userid": a, "daily_cap": 1}])
    assert sorted(rot["members"]) == sorted([a, c])
    first = sb.act("scan", config_id=rot["config_id"])
    assert first["userid"] == a
    events_settled(db)

    def way_members() -> list[str]:
        ways = {w["config_id"]: w for w in sb.get("/sandbox/contact_ways")}
        return list(ways[rot["config_id"]]["user"])

    wait_for(lambda: way_members() == [c], what="a rotated off the contact way")
    duty = api.get(f"/api/v1/acquisition/channels/{rot['id']}/duty").json()
    assert duty["on_duty"] == [c]
    assert duty["off_duty"] == [{"userid": a, "reason": "daily cap of 1 reached"}]
    assert sb.act("scan", config_id=rot["config_id"])["userid"] == c


def src_customer(db: Database) -> int:
    return int(q(db, select(CustomerSource.customer_id))[0][0])
