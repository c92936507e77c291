"""The customer's editable profile over real HTTP against the WeCom sandbox: WeCom's fields
written through the durable remark writes (the sandbox holds them; the timeline names them),
Siyu-only fields stored at once, Chinese sentences for bad input with nothing written, and a
crashed send settled against WeCom instead of sent twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from siyu.corps import service as corps
from siyu.customers import remark_writes as rw
from siyu.customers.models import Customer, FollowRelation
from siyu.customers.profile_models import RemarkWrite
from siyu.customers.profile_tasks import write_remark_now
from siyu.db.base import utcnow
from siyu.db.session import Database
from tests.accounts.conftest import Team, sign_in
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import Sandbox, Siyu, wait_for


@pytest.fixture
def staff(siyu: Siyu, team: Team) -> Iterator[httpx.Client]:
    client = sign_in(siyu, "staff")
    yield client
    client.close()


async def followed_by(db: Database, userid: str, *, ctype: int | None = None) -> tuple[int, str]:
    async with db.unit_of_work() as s:
        stmt = (
            select(Customer.id, Customer.external_userid)
            .join(FollowRelation, FollowRelation.customer_id == Customer.id)
            .where(FollowRelation.userid == userid, FollowRelation.deleted_at.is_(None))
            .order_by(Customer.id)
            .limit(1)
        )
        if ctype is not None:
            stmt = stmt.where(Customer.type == ctype)
        row = (await s.execute(stmt)).first()
    assert row, f"the seed gives {userid} no such customer"
    return int(row[0]), str(row[1])


def sandbox_follow(sb: Sandbox, ext: str, userid: str) -> dict[str, Any]:
    rec = sb.get(f"/sandbox/customers/{ext}")
    return next(f for f in rec["follows"] if f["userid"] == userid)


async def count_writes(db: Database) -> int:
    async with db.unit_of_work() as s:
        return int(await s.scalar(select(func.count()).select_from(RemarkWrite)) or 0)


async def test_profile_edit_writes_through_to_wecom(
    staff: httpx.Client, team: Team, db: Database, sb: Sandbox
) -> None:
    cid, ext = await followed_by(db, team.staff_userid, ctype=1)
    r = staff.put(
        f"/api/v1/customers/{cid}/profile",
        json={
            "remark": "王总-年卡会员",
            "description": "喜欢周末到店，关注新品",
            "remark_company": "杭州青禾茶业",
            "remark_mobiles": ["13800000001", " 13800000001 "],
            "birthday": "1988-06-15",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["userid"] == team.staff_userid
    assert body["birthday"] == "1988-06-15"
    assert body["write"]["status"] in ("pending", "sending", "sent")
    assert body["write"]["fields"]["remark_mobiles"] == ["13800000001"]  # de-duplicated

    def sent() -> dict[str, Any] | None:
        p = staff.get(f"/api/v1/customers/{cid}/profile").json()
        return p if p["write"]["status"] == "sent" else None

    p = wait_for(sent, what="the remark write to be sent")
    assert p["remark"] == "王总-年卡会员" and p["remark_company"] == "杭州青禾茶业"
    assert p["remark_mobiles"] == ["13800000001"]
    # the sandbox (WeCom) holds the new values
    f = sandbox_follow(sb, ext, team.staff_userid)
    assert f["remark"] == "王总-年卡会员"
    assert f["description"] == "喜欢周末到店，关注新品"
    assert f["remark_corp_name"] == "杭州青禾茶业"
    assert f["remark_mobiles"] == ["13800000001"]
    # the timeline names the fields and the employee
    timeline = staff.get(f"/api/v1/customers/{cid}").json()["timeline"]
    changed = [e for e in timeline if e["kind"] == "profile_changed"]
    labels = {c["label"] for e in changed for c in e["data"]["changes"]}
    assert {"备注", "描述", "备注企业", "备注手机号", "生日"} <= labels
    assert all(e["actor"] for e in changed)

    # clearing the mobiles sends [""] as WeCom documents; the sandbox clears them
    r = staff.put(f"/api/v1/customers/{cid}/profile", json={"remark_mobiles": []})
    assert r.status_code == 200, r.text
    wait_for(lambda: sandbox_follow(sb, ext, team.staff_userid)["remark_mobiles"] == [])


async def test_bad_input_is_a_chinese_sentence_and_writes_nothing(
    staff: httpx.Client, team: Team, db: Database, sb: Sandbox
) -> None:
    cid, _ = await followed_by(db, team.staff_userid)
    before = await count_writes(db)
    cases = [
        ({"remark": "一" * 21}, "备注最多 20 个字符"),
        ({"description": "描" * 151}, "描述最多 150 个字符"),
        ({"remark_mobiles": ["13800000001", "abc"]}, "手机号格式不正确"),
        ({"remark_mobiles": [f"1380000000{i}" for i in range(6)]}, "备注手机号最多 5 个"),
        ({"remark": "好", "birthday": "1990-13-01"}, "生日须是日期"),
        ({"birthday": "2999-01-01"}, "不晚于今天"),
        ({"custom_fields": [{"field_id": 999999, "value": "x"}]}, "自定义字段 999999 不存在"),
    ]
    for body, sentence in cases:
        r = staff.put(f"/api/v1/customers/{cid}/profile", json=body)
        assert r.status_code == 422, (body, r.text)
        assert sentence in r.json()["detail"], r.text
    assert await count_writes(db) == before  # nothing half-written
    p = staff.get(f"/api/v1/customers/{cid}/profile").json()
    assert p["birthday"] is None and p["remark"] != "好"
    # a customer the employee does not follow, and one outside the staff's scope
    async with db.unit_of_work() as s:
        other = await s.scalar(
            select(Customer.id).where(
                ~Customer.id.in_(
                    select(FollowRelation.customer_id).where(
                        FollowRelation.userid == team.staff_userid
                    )
                )
            )
        )
    assert staff.put(f"/api/v1/customers/{other}/profile", json={"remark": "x"}).status_code == 404
    assert staff.put("/api/v1/customers/99999999/profile", json={"remark": "x"}).status_code == 404


async def test_remark_company_only_for_wechat_users(
    siyu: Siyu, team: Team, db: Database, sb: Sandbox
) -> None:
    async with db.unit_of_work() as s:
        row = (
            await s.execute(
                select(Customer.id, FollowRelation.userid)
                .join(FollowRelation, FollowRelation.customer_id == Customer.id)
                .where(Customer.type == 2, FollowRelation.deleted_at.is_(None))
                .limit(1)
            )
        ).first()
    if row is None:
        pytest.skip("the seed has no WeCom-user customer")
    admin = sign_in(siyu, "admin")
    r = admin.put(
        f"/api/v1/customers/{row[0]}/profile",
        json={"userid": row[1], "remark_company": "某公司"},
    )
    admin.close()
    assert r.status_code == 422 and "只对微信用户有效" in r.json()["detail"]


async def test_a_crashed_send_is_settled_not_sent_twice(
    staff: httpx.Client, team: Team, db: Database, sb: Sandbox
) -> None:
    cid, ext = await followed_by(db, team.staff_userid)
    async with db.unit_of_work() as s:
        rel = await s.scalar(
            select(FollowRelation).where(
                FollowRelation.customer_id == cid, FollowRelation.userid == team.staff_userid
            )
        )
        assert rel is not None
        landed = await rw.request(s, team.corp.id, rel, {"remark": "已送达"}, by="测试")
        lost = await rw.request(s, team.corp.id, rel, {"description": "x"}, by="测试")
        assert lost.id == landed.id  # a second edit before the job joins the waiting write
        write_id = landed.id
    # the worker died after its call reached WeCom: WeCom holds the value, the row is "sending"
    sb.http.delete("/sandbox/stats")
    async with db.unit_of_work() as s:
        corp = await corps.get(s, team.corp.id)
        await s.execute(
            update(RemarkWrite)
            .where(RemarkWrite.id == write_id)
            .values(status="sending", leased_until=utcnow() - timedelta(seconds=1))
        )
    async with corps.client_for(corp) as client:
        await client.remark(team.staff_userid, ext, remark="已送达", description="x")
    calls = sb.get("/sandbox/stats").get("externalcontact/remark", 0)
    async with db.unit_of_work() as s:
        assert (corp.id, write_id) in await rw.due(s, now=utcnow())
    assert await write_remark_now(db, corp.id, write_id) == "sent"
    assert sb.get("/sandbox/stats").get("externalcontact/remark", 0) == calls  # not sent again
    p = staff.get(f"/api/v1/customers/{cid}/profile").json()
    assert p["remark"] == "已送达" and p["write"]["status"] == "sent"
    # a settled write is never sent again, whatever queues it
    assert await write_remark_now(db, corp.id, write_id) == "sent"
    assert sb.get("/sandbox/stats").get("externalcontact/remark", 0) == calls
    async with db.unit_of_work() as s:
        assert (corp.id, write_id) not in await rw.due(s, now=utcnow())


async def test_a_refused_write_fails_with_wecoms_sentence(
    staff: httpx.Client, team: Team, db: Database, sb: Sandbox
) -> None:
    cid, ext = await followed_by(db, team.staff_userid)
    # the customer deleted the employee in WeCom meanwhile: WeCom refuses (84061)
    async with db.unit_of_work() as s:
        rel = await s.scalar(
            select(FollowRelation).where(
                FollowRelation.customer_id == cid, FollowRelation.userid == team.staff_userid
            )
        )
        assert rel is not None
        write = await rw.request(s, team.corp.id, rel, {"remark": "不会生效"}, by="测试")
        write_id = write.id
    sb.act("customer_delete", userid=team.staff_userid, external_userid=ext)
    assert await write_remark_now(db, team.corp.id, write_id) == "failed"
    async with db.unit_of_work() as s:
        row = await s.get(RemarkWrite, write_id)
        assert row is not None and "84061" in row.error
