"""Actors emit WeCom-encrypted callbacks; API changes emit none; welcome codes; determinism."""

from __future__ import annotations

from typing import Any

import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from siyu.wecom import WeComClient, WeComError
from siyu.wecom.crypto import xml_to_dict
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app

Control = Any  # the ``control`` fixture of conftest.py
Receiver = Any  # the ``receiver`` fixture of conftest.py
Sandboxed = Any  # the ``sandbox`` fixture of conftest.py

pytestmark = pytest.mark.anyio


def _open(sandbox: Sandboxed, delivery: dict[str, Any]) -> dict[str, str]:
    """Verify and decrypt one received callback with wechatpy (a peer implementation)."""
    crypto = WeChatCrypto(sandbox.config.token, sandbox.config.aes_key, sandbox.config.corp_id)
    q = delivery["query"]
    xml = crypto.decrypt_message(delivery["body"], q["msg_signature"], q["timestamp"], q["nonce"])
    return xml_to_dict(xml)


def _first_employee(control: Control) -> str:
    return str(control.get("/sandbox/employees")[0]["userid"])


def test_actor_callbacks_are_signed_and_decryptable(
    sandbox: Sandboxed, control: Control, receiver: Receiver
) -> None:
    userid = _first_employee(control)
    added = control.post(
        "/sandbox/actors/add_customer",
        params={"wait": "true"},
        json={"userid": userid, "state": "store_qr", "name": "林小姐"},
    )
    ext = added["external_userid"]
    assert added["delivery"]["delivered"] and ext.startswith("wm")
    control.post(
        "/sandbox/actors/employee_edit",
        json={"userid": userid, "external_userid": ext, "remark": "林小姐-新客"},
    )
    control.post("/sandbox/actors/transfer_fail", json={"userid": userid, "external_userid": ext})
    control.post("/sandbox/actors/customer_delete", json={"userid": userid, "external_userid": ext})
    assert control.post("/sandbox/callbacks/wait", params={"timeout": 10})["drained"]
    events = [_open(sandbox, d) for d in receiver.received]
    assert [e["ChangeType"] for e in events] == [
        "add_external_contact",
        "edit_external_contact",
        "transfer_fail",
        "del_follow_user",
    ]
    first = events[0]
    assert first["ToUserName"] == sandbox.config.corp_id and first["FromUserName"] == "sys"
    assert first["MsgType"] == "event" and first["Event"] == "change_external_contact"
    assert first["UserID"] == userid and first["ExternalUserID"] == ext
    assert first["State"] == "store_qr" and first["WelcomeCode"] == added["welcome_code"]
    assert events[2]["FailReason"] == "customer_refused"
    record = control.get(f"/sandbox/customers/{ext}")
    assert record["name"] == "林小姐" and record["follows"] == []


def test_tag_and_group_actors(sandbox: Sandboxed, control: Control, receiver: Receiver) -> None:
    made = control.post(
        "/sandbox/actors/tag",
        params={"wait": "true"},
        json={"action": "create", "group_name": "渠道", "tags": ["地推"]},
    )
    group_id = made["ids"][0]
    control.post("/sandbox/actors/tag", json={"action": "update", "id": group_id, "name": "渠道2"})
    control.post("/sandbox/actors/tag", json={"action": "shuffle", "id": group_id})
    control.post("/sandbox/actors/tag", json={"action": "delete", "id": group_id})
    userid = _first_employee(control)
    ext = control.post("/sandbox/actors/add_customer", json={"userid": userid})["external_userid"]
    chat = control.post(
        "/sandbox/actors/group", json={"action": "create", "owner": userid, "name": "新品群"}
    )["chat_id"]
    control.post(
        "/sandbox/actors/group",
        json={"action": "join", "chat_id": chat, "members": [ext], "join_scene": 3},
    )
    control.post(
        "/sandbox/actors/group", json={"action": "rename", "chat_id": chat, "name": "新品群2"}
    )
    control.post(
        "/sandbox/actors/group", json={"action": "leave", "chat_id": chat, "members": [ext]}
    )
    control.post("/sandbox/actors/group", json={"action": "dismiss", "chat_id": chat})
    assert control.post("/sandbox/callbacks/wait", params={"timeout": 10})["drained"]
    events = [_open(sandbox, d) for d in receiver.received]
    tags = [e for e in events if e["Event"] == "change_external_tag"]
    assert [(e["ChangeType"], e.get("TagType")) for e in tags] == [
        ("create", "tag_group"),
        ("update", "tag_group"),
        ("shuffle", None),
        ("delete", "tag_group"),
    ]
    assert all(e["Id"] == group_id for e in tags)
    chats = [e for e in events if e["Event"] == "change_external_chat"]
    assert [(e["ChangeType"], e.get("UpdateDetail")) for e in chats] == [
        ("create", None),
        ("update", "add_member"),
        ("update", "change_name"),
        ("update", "del_member"),
        ("dismiss", None),
    ]
    assert chats[1]["JoinScene"] == "3" and chats[1]["MemChangeCnt"] == "1"
    assert chats[3]["QuitScene"] == "0"


def test_callback_retried_after_500(
    sandbox: Sandboxed, control: Control, receiver: Receiver
) -> None:
    receiver.fail_first = 1
    userid = _first_employee(control)
    added = control.post(
        "/sandbox/actors/add_customer", params={"wait": "true"}, json={"userid": userid}
    )
    assert added["delivery"]["delivered"] and added["delivery"]["attempts"] == 2
    assert len(receiver.received) == 2
    assert _open(sandbox, receiver.received[0]) == _open(sandbox, receiver.received[1])
    receiver.fail_first = 5
    failed = control.post(
        "/sandbox/actors/employee_delete",
        params={"wait": "true"},
        json={"userid": userid, "external_userid": added["external_userid"]},
    )["delivery"]
    assert failed["attempts"] == 3 and not failed["delivered"] and failed["last_status"] == 500
    listed = control.get("/sandbox/callbacks")
    assert listed[-1]["id"] == failed["id"] and listed[-1]["event"] == "change_external_contact"


async def test_api_changes_emit_no_callback(
    client: WeComClient, control: Control, receiver: Receiver
) -> None:
    before = len(control.get("/sandbox/callbacks"))
    userid = (await client.get_follow_user_list())[0]
    ext = (await client.list_external_contacts(userid))[0]
    await client.remark(userid, ext, remark="接口备注")
    group = await client.add_corp_tag(group_name="接口分组", tags=[("接口标签", 0)])
    await client.mark_tag(userid, ext, add=[group.tag[0].id])
    await client.edit_corp_tag(group.tag[0].id, name="接口标签2")
    await client.del_corp_tag(group_ids=[group.group_id])
    assert control.post("/sandbox/callbacks/wait", params={"timeout": 10})["drained"]
    assert len(control.get("/sandbox/callbacks")) == before
    assert receiver.received == []


async def test_welcome_code_window_and_single_use(client: WeComClient, control: Control) -> None:
    userid = (await client.get_follow_user_list())[0]

    async def send(code: str) -> None:
        await client.call(
            "POST",
            "externalcontact/send_welcome_msg",
            json={"welcome_code": code, "text": {"content": "您好，欢迎光临！"}},
        )

    code = control.post("/sandbox/actors/add_customer", json={"userid": userid})["welcome_code"]
    await send(code)
    sent = control.get("/sandbox/welcome_messages")
    assert sent[-1]["welcome_code"] == code and sent[-1]["text"] == "您好，欢迎光临！"
    with pytest.raises(WeComError) as used:
        await send(code)
    assert used.value.errcode == 41051 and "used" in used.value.errmsg

    late = control.post("/sandbox/actors/add_customer", json={"userid": userid})["welcome_code"]
    control.post("/sandbox/clock", json={"seconds": 21})
    with pytest.raises(WeComError) as expired:
        await send(late)
    assert expired.value.errcode == 41051 and "expired" in expired.value.errmsg
    with pytest.raises(WeComError) as unknown:
        await send("nosuchcode")
    assert unknown.value.errcode == 41051


def test_same_seed_same_world() -> None:
    def fingerprint(seed: int) -> str:
        app = create_sandbox_app(
            SandboxConfig(seed=seed, customers=300, employees=8, anchor=1_700_000_000)
        )
        return str(app.state.sandbox.world.fingerprint())

    assert fingerprint(5) == fingerprint(5)
    assert fingerprint(5) != fingerprint(6)


def test_seeded_world_looks_real() -> None:
    app = create_sandbox_app(SandboxConfig(customers=400, employees=10, anchor=1_700_000_000))
    world = app.state.sandbox.world
    customers = list(world.customers.values())
    assert all(
        c.external_userid.startswith("wm") and len(c.external_userid) == 32 for c in customers
    )
    assert {c.type for c in customers} == {1, 2}
    assert any(c.corp_name for c in customers if c.type == 2)
    times = [f.createtime for c in customers for f in c.follows.values()]
    assert min(times) >= 1_700_000_000 - 2 * 365 * 86400 and max(times) <= 1_700_000_000
    assert {g.group_name for g in world.tag_groups.values()} >= {"来源", "意向", "行业", "会员等级"}
    assert world.corp_id.startswith("ww")
