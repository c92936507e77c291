"""Storing callbacks in groups: one INSERT per group, with exactly the answers of one by one."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from siyu.db.session import Database
from siyu.events import service
from siyu.events.models import InboundEvent
from siyu.wecom.callbacks import CallbackEvent
from siyu.wecom.crypto import CallbackCrypto
from tests.conftest import CorpHandle, Sandbox, Siyu


def _edit(ext: str, at: int = 1700000000) -> CallbackEvent:
    return CallbackEvent(
        "change_external_contact",
        "edit_external_contact",
        {"ExternalUserID": ext, "UserID": "zhangsan", "CreateTime": str(at)},
    )


def _add(ext: str) -> CallbackEvent:
    return CallbackEvent(
        "change_external_contact",
        "add_external_contact",
        {"ExternalUserID": ext, "UserID": "zhangsan", "CreateTime": "1700000000"},
    )


async def _rows(db: Database) -> list[tuple[str, str]]:
    async with db.read() as s:
        rows = await s.execute(
            select(InboundEvent.event_key, InboundEvent.status).order_by(InboundEvent.id)
        )
        return [(str(k), str(st)) for k, st in rows.all()]


async def test_store_many_answers_like_one_by_one(db: Database, corp: CorpHandle) -> None:
    a, b, add = _edit("wmA"), _edit("wmB"), _add("wmC")
    async with db.unit_of_work() as s:
        ids = await service.store_many(
            s, [(corp.id, a, "<a/>"), (corp.id, a, "<a/>"), (corp.id, b, "<b/>")]
        )
    assert ids[0] is not None and ids[1] is None and ids[2] is not None
    assert ids[0] != ids[2]
    assert await _rows(db) == [(a.key, "pending"), (b.key, "pending")]

    # a is processed; WeCom sends it again (or an identical change): re-armed, same row.
    # An add that comes again is a redelivery and stays ignored; a still-pending b too.
    async with db.unit_of_work() as s:
        row = await s.get(InboundEvent, ids[0])
        assert row is not None
        row.status = "done"
        first_add = await service.store_many(s, [(corp.id, add, "<c/>")])
    async with db.unit_of_work() as s:
        row = await s.get(InboundEvent, first_add[0])
        assert row is not None
        row.status = "done"
    async with db.unit_of_work() as s:
        again = await service.store_many(
            s, [(corp.id, a, "<a/>"), (corp.id, add, "<c/>"), (corp.id, b, "<b/>")]
        )
    assert again == [ids[0], None, None]
    assert await _rows(db) == [(a.key, "pending"), (b.key, "pending"), (add.key, "done")]


async def test_concurrent_deliveries_share_commits_and_store_each_key_once(
    siyu: Siyu, corp: CorpHandle, sb: Sandbox, db: Database
) -> None:
    """A burst of callbacks, each sent twice at the same moment: every POST answered 200 after
    its event is stored, and one row per distinct event."""
    crypto = CallbackCrypto(sb.config.token, sb.config.aes_key, corp.wecom_corp_id)
    envelopes = []
    for i in range(40):
        xml = (
            f"<xml><ToUserName><![CDATA[{corp.wecom_corp_id}]]></ToUserName>"
            f"<CreateTime>{1700000000 + i}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[change_external_contact]]></Event>"
            "<ChangeType><![CDATA[transfer_fail]]></ChangeType>"
            f"<UserID><![CDATA[u{i}]]></UserID><ExternalUserID><![CDATA[wmnobody{i}]]>"
            "</ExternalUserID></xml>"
        )
        envelopes.append(crypto.encrypt_envelope(xml))
    url = f"{siyu.url}/wecom/callback/{corp.wecom_corp_id}"
    async with httpx.AsyncClient(timeout=60) as http:
        answers = await asyncio.gather(
            *(http.post(url, params=q, content=body) for body, q in envelopes + envelopes)
        )
    assert [(r.status_code, r.text) for r in answers] == [(200, "")] * 80
    rows = await _rows(db)
    assert len(rows) == 40 and len({k for k, _ in rows}) == 40
