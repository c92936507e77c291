"""The sandbox's acquisition surface keeps WeCom's documented limits."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from siyu.wecom import acquisition_api as api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError
from siyu.wecom.sandbox import SandboxConfig
from tests.conftest import Sandbox


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(employees=105, customers=20, seed=5)


def client(sb: Sandbox) -> WeComClient:
    return WeComClient(corp_id=sb.config.corp_id, secret=sb.config.secret, base_url=sb.url)


async def test_contact_way_limits(sb: Sandbox) -> None:
    users = [e["userid"] for e in sb.get("/sandbox/employees")]
    async with client(sb) as c:
        ref = await api.add_contact_way(c, type=2, users=users[:2], state="s1", skip_verify=True)
        assert ref.config_id and ref.qr_code
        way = await api.get_contact_way(c, ref.config_id)
        assert way["user"] == users[:2] and way["state"] == "s1"
        bad = [
            {"type": 2, "users": users[:1], "state": "x" * 31, "skip_verify": True},
            {"type": 1, "users": users[:2], "state": "s", "skip_verify": True},
            {"type": 2, "users": ["ghost"], "state": "s", "skip_verify": True},
        ]
        for kw in bad:
            with pytest.raises(WeComError):
                await api.add_contact_way(c, **kw)  # type: ignore[arg-type]
        assert len(users) > 100
        with pytest.raises(WeComError) as err:  # the root department expands past 100 members
            await api.add_contact_way(
                c, type=2, users=users[:1], parties=[1], state="s", skip_verify=True
            )
        assert "at most 100" in err.value.errmsg
        await api.update_contact_way(c, ref.config_id, user=users[2:3])
        assert (await api.get_contact_way(c, ref.config_id))["user"] == users[2:3]
        assert await api.list_contact_ways(c) == [ref.config_id]
        await api.del_contact_way(c, ref.config_id)
        with pytest.raises(WeComError) as err:
            await api.get_contact_way(c, ref.config_id)
        assert err.value.errcode == 41044


async def test_media_join_way_and_app_messages(sb: Sandbox) -> None:
    users = [e["userid"] for e in sb.get("/sandbox/employees")]
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="PNG")
    async with client(sb) as c:
        mid = await api.upload_media(
            c, kind="image", filename="a.png", content=buf.getvalue(), content_type="image/png"
        )
        assert [m["media_id"] for m in sb.get("/sandbox/media")] == [mid]
        with pytest.raises(WeComError) as err:
            await api.upload_media(
                c, kind="sticker", filename="a", content=b"12345", content_type="x/y"
            )
        assert err.value.errcode == 40004
        chats = [ch["chat_id"] for ch in (await c.list_group_chats(limit=10)).model_dump()["chats"]]
        with pytest.raises(WeComError):
            await api.add_join_way(c, scene=2, chat_id_list=(chats * 6)[:6], state="g")
        cfg = await api.add_join_way(
            c, scene=2, chat_id_list=chats[:1], state="g1", room_base_name="群", room_base_id=3
        )
        assert (await api.get_join_way(c, cfg))["qr_code"]
        reply = await api.send_app_message(
            c, agent_id=sb.config.agent_id, userids=[users[0], "ghost"], text="你好"
        )
        assert reply["invaliduser"] == "ghost"
        with pytest.raises(WeComError) as err:
            await api.send_app_message(c, agent_id=sb.config.agent_id, userids=["ghost"], text="x")
        assert err.value.errcode == 81013
        again = await api.send_app_message(
            c, agent_id=sb.config.agent_id, userids=[users[0]], text="同一条", dedupe_seconds=60
        )
        dup = await api.send_app_message(
            c, agent_id=sb.config.agent_id, userids=[users[0]], text="同一条", dedupe_seconds=60
        )
        assert again["msgid"] == dup["msgid"]
    assert len(sb.get("/sandbox/app_messages")) == 2
