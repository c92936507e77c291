"""Inheritance over real HTTP: the client's transfer calls against the sandbox's transfers.

A small sandbox of its own (departures change the world for good), the shared callback
receiver, and the sandbox clock to run WeCom's 24-hour takeovers and 90-day windows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from siyu.core.serving import ThreadedServer
from siyu.wecom import WeComClient, WeComError
from siyu.wecom import transfer_api as ta
from siyu.wecom.callbacks import parse_event, transfer_fail
from siyu.wecom.crypto import xml_to_dict
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app

pytestmark = pytest.mark.anyio
DAY = 86400
Receiver = Any  # conftest's _receiver_server


class Box:
    def __init__(self, config: SandboxConfig, http: httpx.Client, url: str) -> None:
        self.config = config
        self.http = http
        self.url = url

    def get(self, path: str, **kw: Any) -> Any:
        r = self.http.get(path, **kw)
        r.raise_for_status()
        return r.json()

    def post(self, path: str, **kw: Any) -> Any:
        r = self.http.post(path, **kw)
        r.raise_for_status()
        return r.json()

    def advance(self, seconds: float) -> Any:
        return self.post("/sandbox/clock", json={"seconds": seconds})

    def follows(self, ext: str) -> set[str]:
        return {f["userid"] for f in self.get(f"/sandbox/customers/{ext}")["follows"]}


@pytest.fixture
def box(_receiver_server: Receiver) -> Iterator[Box]:
    """A fresh small sandbox per test, its callbacks going to the shared receiver."""
    config = SandboxConfig(customers=60, employees=6, seed=16, callback_backoff=0.05)
    server = ThreadedServer(create_sandbox_app(config)).start()
    with _receiver_server.lock:
        _receiver_server.received.clear()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            b = Box(config, http, server.url)
            http.put("/sandbox/config", json={"callback_url": _receiver_server.url})
            yield b
            http.post("/sandbox/callbacks/wait", params={"timeout": 10})
    finally:
        server.stop()


@pytest.fixture
async def wecom(box: Box) -> AsyncIterator[WeComClient]:
    async with WeComClient(
        corp_id=box.config.corp_id,
        secret=box.config.secret,
        base_url=box.url,
    ) as client:
        yield client


def events(box: Box, receiver: Receiver) -> list[dict[str, str]]:
    assert box.post("/sandbox/callbacks/wait", params={"timeout": 10})["drained"]
    crypto = WeChatCrypto(box.config.token, box.config.aes_key, box.config.corp_id)
    out = []
    with receiver.lock:
        for d in receiver.received:
            q = d["query"]
            xml = crypto.decrypt_message(d["body"], q["msg_signature"], q["timestamp"], q["nonce"])
            out.append(xml_to_dict(xml))
    return out


async def customers(wecom: WeComClient, userid: str) -> list[str]:
    data = await wecom.call("GET", "externalcontact/list", params={"userid": userid})
    return [str(e) for e in data.get("external_userid") or []]


async def two_with_customers(box: Box, n: int = 3) -> tuple[str, str]:
    staff = [e["userid"] for e in box.get("/sandbox/employees") if e["customers"] >= n]
    return staff[0], staff[1]


async def test_departure_fills_the_unassigned_list(
    box: Box, wecom: WeComClient, _receiver_server: Receiver
) -> None:
    a, _ = await two_with_customers(box)
    mine = await customers(wecom, a)
    assert [u async for u in ta.unassigned_customers(wecom)] == []
    before = box.get("/sandbox/info")["now"]
    left = box.post(f"/sandbox/employees/{a}/depart", params={"wait": "true"})
    assert left["customers"] == len(mine) and left["dimission_time"] >= int(before)
    assert left["delivery"]["delivered"]
    follow = await wecom.call("GET", "externalcontact/get_follow_user_list")
    assert a not in follow["follow_user"]
    # Cursor paging: pages of 2, is_last / next_cursor as WeCom sends them.
    first = await wecom.call("POST", "externalcontact/get_unassigned_list", json={"page_size": 2})
    assert len(first["info"]) == 2 and first["is_last"] is False and first["next_cursor"]
    rows = [u async for u in ta.unassigned_customers(wecom, page_size=2)]
    assert sorted(r.external_userid for r in rows) == sorted(mine)
    assert {r.handover_userid for r in rows} == {a}
    assert {r.dimission_time for r in rows} == {left["dimission_time"]}
    # Departing twice or an unknown employee: clear 4xx.
    assert box.http.post(f"/sandbox/employees/{a}/depart").status_code == 400
    assert box.http.post("/sandbox/employees/nobody/depart").status_code == 404
    evs = events(box, _receiver_server)
    assert [(e["Event"], e["ChangeType"], e["UserID"]) for e in evs] == [
        ("change_contact", "delete_user", a)
    ]
    with pytest.raises(ValueError):
        [u async for u in ta.unassigned_customers(wecom, page_size=1001)]


async def test_resigned_transfer_takes_over_after_24_hours(
    box: Box, wecom: WeComClient, _receiver_server: Receiver
) -> None:
    a, b = await two_with_customers(box)
    theirs = await customers(wecom, b)
    mine = [e for e in await customers(wecom, a) if e not in theirs][:2]
    others = [e for e in theirs if e not in await customers(wecom, a)][:1]
    # Not resigned yet: 40097 per customer, a typed result.
    early = await ta.resigned_transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=mine
    )
    assert [o.errcode for o in early] == [ta.TransferErrcode.NOT_RESIGNED] * 2
    box.post(f"/sandbox/employees/{a}/depart")
    now = box.get("/sandbox/info")["now"]
    out = await ta.resigned_transfer_customers(
        wecom,
        handover_userid=a,
        takeover_userid=b,
        external_userids=[*mine, *others, "wmnobody"],
    )
    assert [o.errcode for o in out] == [0, 0, 40131, 40096]
    assert out[0].started and not out[2].started
    again = await ta.resigned_transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=mine[:1]
    )
    assert again[0].errcode == ta.TransferErrcode.ALREADY_IN_TRANSFER
    waiting = await ta.resigned_transfer_result(wecom, handover_userid=a, takeover_userid=b)
    assert {r.status for r in waiting} == {ta.TransferStatus.WAITING}
    assert all(now + DAY - 5 <= r.takeover_time <= now + DAY + 5 for r in waiting)
    left = {u.external_userid async for u in ta.unassigned_customers(wecom)}
    assert not left & set(mine)  # being assigned: no longer listed
    assert box.follows(mine[0]) >= {a} and b not in box.follows(mine[0])
    # Limits checked before WeCom is called.
    with pytest.raises(ValueError):
        await ta.resigned_transfer_customers(
            wecom, handover_userid=a, takeover_userid=b, external_userids=["x"] * 101
        )
    with pytest.raises(WeComError) as exc:  # the sandbox refuses > 100 too
        await wecom.call(
            "POST",
            "externalcontact/resigned/transfer_customer",
            json={"handover_userid": a, "takeover_userid": b, "external_userid": ["x"] * 101},
        )
    assert exc.value.errcode == 40058
    # The second customer refuses; the first is taken over when the 24 hours are up.
    box.post("/sandbox/actors/transfer_refuse", json={"external_userid": mine[1]})
    assert box.advance(DAY - 60)["takeovers"] == 0
    assert box.post("/sandbox/clock", json={"advance_seconds": 120})["takeovers"] == 2
    done = {
        r.external_userid: r
        for r in await ta.resigned_transfer_result(wecom, handover_userid=a, takeover_userid=b)
    }
    assert [done[e].status for e in mine] == [ta.TransferStatus.ACCEPTED, ta.TransferStatus.REFUSED]
    assert all(r.final for r in done.values()) and done[mine[1]].takeover_time == 0
    assert box.follows(mine[0]) >= {b} and a not in box.follows(mine[0])
    assert mine[0] in await customers(wecom, b)
    assert a in box.follows(mine[1]) and b not in box.follows(mine[1])
    # Refused: waiting for a successor again.
    left = {u.external_userid async for u in ta.unassigned_customers(wecom)}
    assert mine[1] in left and mine[0] not in left
    evs = [e for e in events(box, _receiver_server) if e["Event"] == "change_external_contact"]
    assert [(e["ChangeType"], e["UserID"], e["ExternalUserID"]) for e in evs] == [
        ("add_external_contact", b, mine[0]),
        ("transfer_fail", b, mine[1]),
    ]


async def test_onjob_transfer_callbacks_and_the_90_day_limit(
    box: Box, wecom: WeComClient, _receiver_server: Receiver
) -> None:
    a, b = await two_with_customers(box)
    theirs = await customers(wecom, b)
    ext = next(e for e in await customers(wecom, a) if e not in theirs)
    with pytest.raises(ValueError):
        await ta.transfer_customers(
            wecom, handover_userid=a, takeover_userid=b, external_userids=[ext],
            transfer_success_msg="好" * 201,
        )  # fmt: skip
    with pytest.raises(WeComError):
        await wecom.call(
            "POST",
            "externalcontact/transfer_customer",
            json={
                "handover_userid": a,
                "takeover_userid": b,
                "external_userid": [ext],
                "transfer_success_msg": "好" * 201,
            },
        )
    same = await ta.transfer_customers(
        wecom, handover_userid=a, takeover_userid=a, external_userids=[ext]
    )
    assert same[0].errcode == ta.TransferErrcode.SAME_USER
    first = await ta.transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=[ext],
        transfer_success_msg="您好，后续由同事为您服务",
    )  # fmt: skip
    assert first[0].started
    busy = await ta.transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=[ext]
    )
    assert busy[0].errcode == ta.TransferErrcode.IN_TRANSFER
    assert box.get("/sandbox/transfers")[0]["transfer_success_msg"] == "您好，后续由同事为您服务"
    box.advance(DAY + 1)
    result = await ta.transfer_result(wecom, handover_userid=a, takeover_userid=b)
    assert [(r.external_userid, r.status) for r in result] == [(ext, ta.TransferStatus.ACCEPTED)]
    assert box.follows(ext) == {b}
    evs = [e for e in events(box, _receiver_server) if e["Event"] == "change_external_contact"]
    assert [(e["ChangeType"], e["UserID"], e.get("Source", "")) for e in evs] == [
        ("add_external_contact", b, ""),
        ("del_external_contact", a, "DELETE_BY_TRANSFER"),
    ]
    # Back to a: the second transfer within 90 days; a third is refused (40128).
    back = await ta.transfer_customers(
        wecom, handover_userid=b, takeover_userid=a, external_userids=[ext]
    )
    assert back[0].started
    box.advance(DAY + 1)
    assert box.follows(ext) == {a}
    third = await ta.transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=[ext]
    )
    assert third[0].errcode == ta.TransferErrcode.TOO_FREQUENT
    box.advance(90 * DAY)
    fourth = await ta.transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=[ext]
    )
    assert fourth[0].started


async def test_refusal_and_successor_cap_send_transfer_fail(
    box: Box, wecom: WeComClient, _receiver_server: Receiver
) -> None:
    a, b = await two_with_customers(box)
    theirs = await customers(wecom, b)
    exts = [e for e in await customers(wecom, a) if e not in theirs][:3]
    await ta.transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=exts[:1]
    )
    box.post("/sandbox/actors/transfer_refuse", json={"external_userid": exts[0]})
    assert (
        box.http.post("/sandbox/actors/transfer_refuse", json={"external_userid": "wm"}).status_code
        == 404
    )
    box.advance(DAY + 1)
    # A refusal rate of 1: every customer refuses.
    box.http.put("/sandbox/transfers/config", json={"refuse_rate": 1})
    await ta.transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=exts[1:2]
    )
    box.advance(DAY + 1)
    # The successor is full: status 4.
    cfg = box.http.put("/sandbox/transfers/config", json={"refuse_rate": 0, "customer_cap": 0})
    assert cfg.json()["customer_cap"] == 0
    await ta.transfer_customers(
        wecom, handover_userid=a, takeover_userid=b, external_userids=exts[2:3]
    )
    box.advance(DAY + 1)
    result = {
        r.external_userid: r
        for r in await ta.transfer_result(wecom, handover_userid=a, takeover_userid=b)
    }
    assert [result[e].status for e in exts] == [3, 3, 4]
    assert {result[e].takeover_time for e in exts} == {0}
    for ext in exts:
        assert box.follows(ext) >= {a} and b not in box.follows(ext)  # the relation stays
    evs = events(box, _receiver_server)
    assert [(e["ChangeType"], e["FailReason"], e["UserID"]) for e in evs] == [
        ("transfer_fail", "customer_refused", b),
        ("transfer_fail", "customer_refused", b),
        ("transfer_fail", "customer_limit_exceed", b),
    ]
    # The callback parses into the typed event other domains consume.
    with _receiver_server.lock:
        raw = _receiver_server.received[0]
    crypto = WeChatCrypto(box.config.token, box.config.aes_key, box.config.corp_id)
    q = raw["query"]
    xml = crypto.decrypt_message(raw["body"], q["msg_signature"], q["timestamp"], q["nonce"])
    failed = transfer_fail(parse_event(xml, corp_id=box.config.corp_id))
    assert failed is not None
    assert (failed.takeover_userid, failed.external_userid, failed.reason) == (
        b,
        exts[0],
        "customer_refused",
    )
    other = xml.replace("transfer_fail", "edit_external_contact")
    assert transfer_fail(parse_event(other, corp_id=box.config.corp_id)) is None


async def chats_of(wecom: WeComClient, owner: str) -> list[dict[str, Any]]:
    data = await wecom.call(
        "POST",
        "externalcontact/groupchat/list",
        json={"limit": 100, "owner_filter": {"userid_list": [owner]}},
    )
    return list(data["group_chat_list"])


async def test_group_transfers(box: Box, wecom: WeComClient) -> None:
    data = await wecom.call("POST", "externalcontact/groupchat/list", json={"limit": 100})
    owners: dict[str, list[str]] = {}
    for c in data["group_chat_list"]:
        got = await wecom.call(
            "POST", "externalcontact/groupchat/get", json={"chat_id": c["chat_id"]}
        )
        owners.setdefault(got["group_chat"]["owner"], []).append(c["chat_id"])
    owner, chats = next(iter(owners.items()))
    heir = next(e["userid"] for e in box.get("/sandbox/employees") if e["userid"] != owner)
    # Resigned-group transfer needs a resigned owner: 90500 while the owner works.
    failed = await ta.transfer_group_chats(wecom, chat_ids=chats[:1], new_owner=heir)
    assert [(f.chat_id, f.errcode) for f in failed] == [(chats[0], 90500)]
    # On-job: same owner 90504, unknown chat 40050, then at most twice in 90 days.
    failed = await ta.onjob_transfer_group_chats(
        wecom, chat_ids=[chats[0], "wrnone"], new_owner=owner
    )
    assert [f.errcode for f in failed] == [90504, 40050]
    assert await ta.onjob_transfer_group_chats(wecom, chat_ids=chats[:1], new_owner=heir) == []
    assert await ta.onjob_transfer_group_chats(wecom, chat_ids=chats[:1], new_owner=owner) == []
    third = await ta.onjob_transfer_group_chats(wecom, chat_ids=chats[:1], new_owner=heir)
    assert [f.errcode for f in third] == [ta.TransferErrcode.TOO_FREQUENT]
    with pytest.raises(ValueError):
        await ta.transfer_group_chats(wecom, chat_ids=[], new_owner=heir)
    with pytest.raises(WeComError):
        await wecom.call(
            "POST",
            "externalcontact/groupchat/transfer",
            json={"chat_id_list": [], "new_owner": heir},
        )
    box.post(f"/sandbox/employees/{owner}/depart")
    assert {c["status"] for c in await chats_of(wecom, owner)} == {1}  # 离职待继承
    # On-job transfer of a resigned owner's group: 90502; groupchat/transfer works.
    failed = await ta.onjob_transfer_group_chats(wecom, chat_ids=chats[:1], new_owner=heir)
    assert [f.errcode for f in failed] == [90502]
    with pytest.raises(WeComError):  # the successor must not have left
        await ta.transfer_group_chats(wecom, chat_ids=chats, new_owner=owner)
    assert await ta.transfer_group_chats(wecom, chat_ids=chats, new_owner=heir) == []
    moved = await chats_of(wecom, heir)
    assert {c["chat_id"] for c in moved} >= set(chats)
    assert {c["status"] for c in moved if c["chat_id"] in chats} == {3}  # 离职继承完成
    got = await wecom.call("POST", "externalcontact/groupchat/get", json={"chat_id": chats[0]})
    assert got["group_chat"]["owner"] == heir


async def test_clock_moves_without_sleeping(box: Box) -> None:
    before = box.get("/sandbox/info")["now"]
    moved = box.advance(90 * DAY)
    assert moved["now"] >= before + 90 * DAY and moved["takeovers"] == 0
    assert box.get("/sandbox/info")["now"] >= before + 90 * DAY
    assert box.http.post("/sandbox/clock", json={"seconds": -1}).status_code == 422
