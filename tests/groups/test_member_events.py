"""Member changes of a group chat whose callbacks are handled together: every join and leave
is recorded once, and the stored members end as WeCom's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from huey.exceptions import TaskLockedException
from sqlalchemy import func, select

from siyu.acquisition.models import GroupCodeEvent
from siyu.customers.models import Customer, TimelineEvent
from siyu.db.session import Database
from siyu.events import spool
from siyu.events.models import InboundEvent
from siyu.groups.models import GroupChat, GroupMember
from siyu.wecom.client import WeComClient
from siyu.wecom.crypto import CallbackCrypto
from tests.conftest import CorpHandle, Sandbox, events_settled, wait_for
from tests.events.test_service import q

CODES = "/api/v1/acquisition/group-codes"


@contextmanager
def worker_busy(corp: CorpHandle) -> Iterator[None]:
    """Hold the corp's drain lock (as a long drain would): callbacks are stored meanwhile and
    handled together, in one batch, once it is released."""
    from siyu.messaging.queue import huey

    lock = huey.lock_task(f"drain-events-{corp.id}")

    def acquired() -> bool:  # a drain of earlier events may still be finishing
        try:
            lock.acquire()
        except TaskLockedException:
            return False
        return True

    wait_for(acquired, what="the drain lock")
    try:
        yield
    finally:
        lock.release()


def wecom_members(sb: Sandbox, chat_id: str) -> set[str]:
    async def go() -> set[str]:
        cfg = sb.config
        async with WeComClient(corp_id=cfg.corp_id, secret=cfg.secret, base_url=sb.url) as c:
            return {m.userid for m in (await c.get_group_chat(chat_id)).member_list}

    return asyncio.run(go())


def stored_members(db: Database, chat_id: str) -> set[str]:
    rows = q(
        db,
        select(GroupMember.member_id)
        .join(GroupChat, GroupChat.id == GroupMember.group_pk)
        .where(GroupChat.chat_id == chat_id, GroupMember.left_at.is_(None)),
    )
    return {m for (m,) in rows}


def group_kinds(db: Database, ext: str) -> list[str]:
    rows = q(
        db,
        select(TimelineEvent.kind)
        .join(Customer, Customer.id == TimelineEvent.customer_id)
        .where(Customer.external_userid == ext)
        .where(TimelineEvent.kind.in_(["joined_group", "left_group"]))
        .order_by(TimelineEvent.id),
    )
    return [k for (k,) in rows]


def pending(db: Database) -> int:
    """Callbacks acknowledged and not yet processed (in the SQLite spool, or pending)."""
    stmt = select(func.count()).select_from(InboundEvent).where(InboundEvent.status == "pending")
    return spool.count(db.url) + int(q(db, stmt)[0][0])


def redeliver(sb: Sandbox, delivery_id: int) -> None:
    """WeCom sends the same callback again (same XML, freshly encrypted)."""
    cb = next(c for c in sb.get("/sandbox/callbacks") if c["id"] == delivery_id)
    cfg = sb.config
    body, params = CallbackCrypto(cfg.token, cfg.aes_key, cfg.corp_id).encrypt_envelope(cb["xml"])
    assert httpx.post(cb["url"], content=body.encode(), params=params).status_code == 200


def test_quick_joins_and_a_leave_through_a_group_code(
    live: CorpHandle, sb: Sandbox, api: httpx.Client, db: Database
) -> None:
    chat = q(db, select(GroupChat.chat_id).order_by(GroupChat.id).limit(1))[0][0]
    r = api.post(CODES, json={"name": "快闪群", "chat_ids": [chat], "room_base_name": "快闪群"})
    assert r.status_code == 201, r.text
    code = r.json()
    owner = sb.get("/sandbox/employees")[0]["userid"]
    a, b = (sb.act("add_customer", userid=owner)["external_userid"] for _ in range(2))
    events_settled(db)
    before = stored_members(db, chat)
    with worker_busy(live):
        for ext in (a, b):
            sb.act("scan_join_way", config_id=code["config_id"], external_userid=ext)
        leave = sb.act("group", action="leave", chat_id=chat, members=[a])
        wait_for(lambda: pending(db) == 3, what="the three callbacks to be stored")
    events_settled(db)

    st = api.get(f"{CODES}/{code['id']}/stats").json()
    assert (st["joins"], st["leaves"]) == (2, 1)
    assert group_kinds(db, a) == ["joined_group", "left_group"]
    assert group_kinds(db, b) == ["joined_group"]
    assert stored_members(db, chat) == wecom_members(sb, chat) == before | {b}
    group = q(db, select(GroupChat).where(GroupChat.chat_id == chat))[0][0]
    assert group.member_count == len(before) + 1

    # WeCom redelivers the leave and a join: nothing is counted twice.
    joins = [c for c in sb.get("/sandbox/callbacks") if "add_member" in c["xml"]]
    redeliver(sb, leave["delivery"]["id"])
    redeliver(sb, joins[-1]["id"])
    events_settled(db)
    st = api.get(f"{CODES}/{code['id']}/stats").json()
    assert (st["joins"], st["leaves"]) == (2, 1)
    assert group_kinds(db, a) == ["joined_group", "left_group"]
    assert group_kinds(db, b) == ["joined_group"]
    assert len(q(db, select(GroupCodeEvent.id))) == 3


def test_join_leave_rejoin_handled_together(live: CorpHandle, sb: Sandbox, db: Database) -> None:
    owner = sb.get("/sandbox/employees")[0]["userid"]
    c1 = sb.act("add_customer", userid=owner)["external_userid"]
    c2 = sb.act("add_customer", userid=owner)["external_userid"]
    chat = sb.act("group", action="create", owner=owner, name="秒杀群", members=[])["chat_id"]
    events_settled(db)
    with worker_busy(live):
        sb.act("group", action="join", chat_id=chat, members=[c1, c2], join_scene=0)
        sb.act("group", action="leave", chat_id=chat, members=[c1], quit_scene=1)
        sb.act("group", action="leave", chat_id=chat, members=[c2])
        sb.act("group", action="join", chat_id=chat, members=[c1], join_scene=3)
        wait_for(lambda: pending(db) == 4, what="the four callbacks to be stored")
    events_settled(db)
    assert group_kinds(db, c1) == ["joined_group", "left_group", "joined_group"]
    assert group_kinds(db, c2) == ["joined_group", "left_group"]
    assert stored_members(db, chat) == wecom_members(sb, chat) == {owner, c1}
    c1_row = q(db, select(GroupMember).where(GroupMember.member_id == c1))[0][0]
    assert c1_row.join_scene == 3  # WeCom's current record of the stay


def test_a_new_group_and_its_next_changes_handled_together(
    live: CorpHandle, sb: Sandbox, db: Database
) -> None:
    owner = sb.get("/sandbox/employees")[0]["userid"]
    c1, c2, c3 = (sb.act("add_customer", userid=owner)["external_userid"] for _ in range(3))
    events_settled(db)
    with worker_busy(live):
        chat = sb.act("group", action="create", owner=owner, name="新群", members=[c1])
        chat_id = chat["chat_id"]
        sb.act("group", action="rename", chat_id=chat_id, name="新品首发群")
        sb.http.post("/sandbox/clock", json={"seconds": 60})
        sb.act("group", action="join", chat_id=chat_id, members=[c2], join_scene=3)
        sb.act("group", action="join", chat_id=chat_id, members=[c3], join_scene=0)
        sb.act("group", action="leave", chat_id=chat_id, members=[c2])
        wait_for(lambda: pending(db) == 5, what="the five callbacks to be stored")
    events_settled(db)
    # The create reports its first member; later joins and the leave count once each, though
    # the chat read for the create (and the rename) already showed their outcome.
    assert group_kinds(db, c1) == ["joined_group"]
    assert group_kinds(db, c2) == ["joined_group", "left_group"]
    assert group_kinds(db, c3) == ["joined_group"]
    assert stored_members(db, chat_id) == wecom_members(sb, chat_id) == {owner, c1, c3}
    group = q(db, select(GroupChat).where(GroupChat.chat_id == chat_id))[0][0]
    assert group.name == "新品首发群" and group.member_count == 3
