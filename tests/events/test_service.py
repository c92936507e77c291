"""Callback events from sandbox actors, processed by the worker into records and timeline."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from siyu.customers.models import Customer, FollowRelation, Tag, TagGroup, TimelineEvent
from siyu.db.session import Database
from siyu.events.models import InboundEvent
from siyu.groups.models import GroupChat, GroupMember
from siyu.messaging import bus
from tests.conftest import CorpHandle, Sandbox, events_settled

TRANSFER_FAILURES: list[bus.DomainEvent] = []


@bus.subscribe(bus.CUSTOMER_TRANSFER_FAILED)
async def _record_transfer_failure(ctx: bus.EventContext, event: bus.DomainEvent) -> None:
    TRANSFER_FAILURES.append(event)


def q(db: Database, stmt: Any) -> list[Any]:
    async def go() -> list[Any]:
        async with db.unit_of_work() as s:
            return list((await s.execute(stmt)).all())

    return asyncio.run(go())


def timeline(db: Database, ext: str) -> list[tuple[str, str, dict[str, Any]]]:
    rows = q(
        db,
        select(TimelineEvent.kind, TimelineEvent.userid, TimelineEvent.data)
        .join(Customer, Customer.id == TimelineEvent.customer_id)
        .where(Customer.external_userid == ext)
        .order_by(TimelineEvent.id),
    )
    return [(k, u, d) for k, u, d in rows]


def relation(db: Database, ext: str, userid: str) -> FollowRelation:
    rows = q(
        db,
        select(FollowRelation)
        .join(Customer, Customer.id == FollowRelation.customer_id)
        .where(Customer.external_userid == ext, FollowRelation.userid == userid),
    )
    return rows[0][0]


def test_customer_lifecycle(live: CorpHandle, sb: Sandbox, db: Database) -> None:
    a, b = (e["userid"] for e in sb.get("/sandbox/employees")[:2])
    ext = sb.act("add_customer", userid=a, state="douyin-ad", name="李雷")["external_userid"]
    events_settled(db)
    rel = relation(db, ext, a)
    assert rel.state == "douyin-ad" and rel.deleted_at is None
    assert [k for k, _, _ in timeline(db, ext)] == ["added"]

    # The employee edits remark and tags in the WeCom client.
    groups = q(db, select(Tag.tag_id).order_by(Tag.id).limit(2))
    t1, t2 = groups[0][0], groups[1][0]
    sb.act("employee_edit", userid=a, external_userid=ext, remark="老客户", add_tag=[t1, t2])
    events_settled(db)
    assert relation(db, ext, a).remark == "老客户"
    kinds = [(k, d.get("tag_id")) for k, _, d in timeline(db, ext)]
    assert ("remark_changed", None) in kinds and ("tagged", t1) in kinds and ("tagged", t2) in kinds
    sb.act("employee_edit", userid=a, external_userid=ext, remove_tag=[t2])
    events_settled(db)
    assert ("untagged", t2) in [(k, d.get("tag_id")) for k, _, d in timeline(db, ext)]

    # The same customer adds a second employee, then deletes the first.
    sb.act("add_customer", userid=b, external_userid=ext, state="store-poster")
    sb.act("customer_delete", userid=a, external_userid=ext)
    events_settled(db)
    gone = relation(db, ext, a)
    assert gone.deleted_at is not None and gone.deleted_by == "customer"
    cust = q(db, select(Customer).where(Customer.external_userid == ext))[0][0]
    assert cust.deleted_at is None  # still followed by b

    # b deletes the customer: nobody follows them any more; history stays.
    sb.act("employee_delete", userid=b, external_userid=ext)
    events_settled(db)
    cust = q(db, select(Customer).where(Customer.external_userid == ext))[0][0]
    assert cust.deleted_at is not None
    kinds = [(k, u) for k, u, _ in timeline(db, ext)]
    assert ("deleted_by_customer", a) in kinds and ("deleted_by_employee", b) in kinds
    assert kinds.count(("added", a)) == 1 and ("added", b) in kinds
    # Every event was processed exactly once.
    statuses = {s for (s,) in q(db, select(InboundEvent.status))}
    assert statuses == {"done"}


def test_transfer_fail_and_half_add(live: CorpHandle, sb: Sandbox, db: Database) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    ext = sb.act("add_customer", userid=a, verify=True)["external_userid"]
    events_settled(db)
    assert relation(db, ext, a).deleted_at is None
    sb.act("transfer_fail", userid=a, external_userid=ext, reason="customer_refused")
    events_settled(db)
    entries = timeline(db, ext)
    assert entries[-1][0] == "transfer_failed" and entries[-1][2]["reason"] == "customer_refused"
    # Other domains hear of it as customer.transfer_failed.
    mine = [e for e in TRANSFER_FAILURES if e.data["external_userid"] == ext]
    assert len(mine) == 1 and mine[0].data["customer_id"] is not None
    assert mine[0].data["reason"] == "customer_refused" and mine[0].data["takeover_userid"] == a


def test_group_chat_changes(live: CorpHandle, sb: Sandbox, db: Database) -> None:
    a = sb.get("/sandbox/employees")[0]["userid"]
    c1 = sb.act("add_customer", userid=a)["external_userid"]
    c2 = sb.act("add_customer", userid=a)["external_userid"]
    chat = sb.act("group", action="create", owner=a, name="会员福利群", members=[c1])["chat_id"]
    events_settled(db)  # each change is re-read from WeCom when its event is processed
    sb.act("group", action="join", chat_id=chat, members=[c2], join_scene=3)
    events_settled(db)
    sb.act("group", action="leave", chat_id=chat, members=[c1])
    events_settled(db)
    sb.act("group", action="rename", chat_id=chat, name="VIP 福利群")
    events_settled(db)
    group = q(db, select(GroupChat).where(GroupChat.chat_id == chat))[0][0]
    assert group.name == "VIP 福利群" and group.owner == a
    members = {
        m.member_id: m
        for (m,) in q(db, select(GroupMember).where(GroupMember.group_pk == group.id))
    }
    assert members[c1].left_at is not None and members[c2].left_at is None
    assert [k for k, _, _ in timeline(db, c1)][-2:] == ["joined_group", "left_group"]
    sb.act("group", action="dismiss", chat_id=chat)
    events_settled(db)
    group = q(db, select(GroupChat).where(GroupChat.chat_id == chat))[0][0]
    assert group.dismissed_at is not None
    assert timeline(db, c2)[-1][0] == "left_group"


def test_admin_tag_changes(live: CorpHandle, sb: Sandbox, db: Database) -> None:
    res = sb.act("tag", action="create", group_name="门店", tags=["静安店", "徐汇店"])
    events_settled(db)
    names = {n for (n,) in q(db, select(Tag.name).where(Tag.deleted_at.is_(None)))}
    assert {"静安店", "徐汇店"} <= names
    tag_id = q(db, select(Tag.tag_id).where(Tag.name == "静安店"))[0][0]
    sb.act("tag", action="update", id=tag_id, name="静安寺店")
    events_settled(db)
    assert q(db, select(Tag.name).where(Tag.tag_id == tag_id))[0][0] == "静安寺店"
    sb.act("tag", action="delete", id=tag_id)
    events_settled(db)
    assert q(db, select(Tag.deleted_at).where(Tag.tag_id == tag_id))[0][0] is not None
    group = q(db, select(TagGroup).where(TagGroup.name == "门店"))[0][0]
    assert group.deleted_at is None
    del res


def test_sandbox_takeover_moves_the_relation_in_siyu(
    live: CorpHandle, sb: Sandbox, db: Database
) -> None:
    """An on-job transfer in the sandbox, 24 h later on its clock: Siyu sees the successor's
    relation begin and the former follower's end (Source DELETE_BY_TRANSFER)."""
    a, b = (e["userid"] for e in sb.get("/sandbox/employees")[:2])
    ext = sb.act("add_customer", userid=a)["external_userid"]
    events_settled(db)
    token = sb.get("/cgi-bin/gettoken", corpid=sb.config.corp_id, corpsecret=sb.config.secret)[
        "access_token"
    ]
    started = sb.http.post(
        "/cgi-bin/externalcontact/transfer_customer",
        params={"access_token": token},
        json={"handover_userid": a, "takeover_userid": b, "external_userid": [ext]},
    ).json()
    assert started["customer"] == [{"external_userid": ext, "errcode": 0}]
    assert sb.http.post("/sandbox/clock", json={"seconds": 86400 + 1}).json()["takeovers"] == 1
    assert sb.http.post("/sandbox/callbacks/wait", params={"timeout": 10}).json()["drained"]
    events_settled(db)
    assert relation(db, ext, b).deleted_at is None
    assert relation(db, ext, a).deleted_at is not None
    deleted = [d for k, u, d in timeline(db, ext) if k == "deleted_by_employee" and u == a]
    assert deleted and deleted[-1].get("source") == "DELETE_BY_TRANSFER"
