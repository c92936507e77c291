"""The sandbox's corp mass messages: limits, paging, confirmation, cap, remind, cancel."""

from __future__ import annotations

import time
from typing import Any

import pytest

from siyu.wecom import WeComClient, WeComError
from siyu.wecom import groupmsg_api as api

Control = Any  # the ``control`` fixture of conftest.py

pytestmark = pytest.mark.anyio


async def test_limits_paging_and_employee_actions(client: WeComClient, control: Control) -> None:
    control.put("/sandbox/groupmsg/config", json={"auto_confirm": False, "cap_rule": "off"})
    userid = (await client.get_follow_user_list())[0]
    mine = [e async for e in _externals(client, userid)]
    with pytest.raises(WeComError) as too_many:
        await api.add_msg_template(
            client,
            sender=userid,
            external_userids=["x"] * 10,
            text="",
            attachments=[],
        )
    assert too_many.value.errcode == 40058  # text and attachments both empty
    with pytest.raises(WeComError) as bad:
        await api.add_msg_template(
            client,
            sender=userid,
            external_userids=mine,
            text="hi",
            attachments=[{"msgtype": "voice"}],
        )
    assert bad.value.errcode == 41065
    msgid, fail = await api.add_msg_template(
        client, sender=userid, external_userids=[*mine, "wmnobody"], text="你好", attachments=[]
    )
    assert fail == ["wmnobody"]
    now = int(time.time())
    listed = [m async for m in api.list_groupmsg(client, start_time=now - 60, end_time=now + 60)]
    assert [m["msgid"] for m in listed] == [msgid] and listed[0]["text"]["content"] == "你好"
    assert (await api.groupmsg_tasks(client, msgid))[0]["status"] == 0
    r = control.post(
        f"/sandbox/groupmsg/messages/{msgid}/employee",
        json={"action": "partly", "external_userids": mine[:1]},
    )
    assert r["counts"] == {"sent": 1}
    rows = [x async for page in api.groupmsg_send_results(client, msgid, userid) for x in page]
    assert sorted(x["status"] for x in rows) == [0] * (len(mine) - 1) + [1]
    for _ in range(3):
        await api.remind_groupmsg_send(client, msgid)
    with pytest.raises(WeComError):  # a 4th reminder within 24 h (45009, after retries)
        await api.remind_groupmsg_send(client, msgid)
    await api.cancel_groupmsg_send(client, msgid)
    targets = control.get("/sandbox/groupmsg/targets")
    assert targets["histogram"] == {"1": len(mine)}


async def _externals(client: WeComClient, userid: str) -> Any:
    data = await client.call("GET", "externalcontact/list", params={"userid": userid})
    for e in data["external_userid"]:
        yield e
