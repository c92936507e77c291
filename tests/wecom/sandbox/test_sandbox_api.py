"""The sandbox's WeCom API: paging, limits, legacy parameters, tags, groups, errcodes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from wechatpy.enterprise import WeChatClient

from siyu.wecom import WeComClient, WeComError

Control = Any  # the ``control`` fixture of conftest.py
Sandboxed = Any  # the ``sandbox`` fixture of conftest.py

pytestmark = pytest.mark.anyio


async def test_batch_paging_covers_every_relation(client: WeComClient, control: Control) -> None:
    userids = await client.get_follow_user_list()
    seen: list[tuple[str, str]] = []
    pages = 0
    async for page in client.iter_batch_get_by_user(userids, limit=100):
        pages += 1
        seen.extend((i.follow_info.userid, i.external_contact.external_userid) for i in page.items)
    counts = control.get("/sandbox/info")["counts"]
    assert len(seen) == len(set(seen)) == counts["follow_relations"]
    assert pages > 1


async def test_batch_resume_point(client: WeComClient) -> None:
    userids = await client.get_follow_user_list()
    pages = [p async for p in client.iter_batch_get_by_user(userids, limit=40)]
    offset, cursor = pages[2].resume_point()
    resumed = [
        p async for p in client.iter_batch_get_by_user(userids[offset:], cursor=cursor, limit=40)
    ]
    rest = [i.external_contact.external_userid for p in pages[3:] for i in p.items]
    assert [i.external_contact.external_userid for p in resumed for i in p.items] == rest


async def test_batch_limit_is_clamped_and_userids_capped(client: WeComClient) -> None:
    userids = await client.get_follow_user_list()
    page = await client.batch_get_by_user(userids, limit=5000)
    assert len(page.items) == 100 and page.next_cursor
    with pytest.raises(WeComError) as info:
        await client.batch_get_by_user([*userids] * 20)
    assert info.value.errcode == 40058


async def test_batch_legacy_single_userid(client: WeComClient) -> None:
    userid = (await client.get_follow_user_list())[0]
    legacy = await client.call(
        "POST", "externalcontact/batch/get_by_user", json={"userid": userid, "limit": 100}
    )
    modern = await client.batch_get_by_user([userid])
    assert [i["external_contact"]["external_userid"] for i in legacy["external_contact_list"]] == [
        i.external_contact.external_userid for i in modern.items
    ]


async def test_token_errors(sandbox: Sandboxed) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        missing = (await http.get("/cgi-bin/user/list", params={"department_id": 1})).json()
        bad = (await http.get("/cgi-bin/user/list", params={"access_token": "nope"})).json()
        corp = (
            await http.get("/cgi-bin/gettoken", params={"corpid": "x", "corpsecret": "y"})
        ).json()
    assert missing["errcode"] == 41001
    assert bad["errcode"] == 40014
    assert corp["errcode"] == 40013


async def test_tag_crud_and_mark_tag(client: WeComClient) -> None:
    group = await client.add_corp_tag(group_name="测试分组", order=5, tags=[("甲", 2), ("乙", 1)])
    assert [t.name for t in group.tag] == ["甲", "乙"]
    again = await client.add_corp_tag(group_name="测试分组", tags=[{"name": "甲", "order": 0}])
    assert again.group_id == group.group_id and again.tag[0].id == group.tag[0].id
    await client.edit_corp_tag(group.tag[0].id, name="甲改")
    with pytest.raises(WeComError) as dup:
        await client.edit_corp_tag(group.tag[0].id, name="乙")
    assert dup.value.errcode == 40071
    with pytest.raises(WeComError) as long_name:
        await client.add_corp_tag(group_id=group.group_id, tags=[("长" * 31, 0)])
    assert long_name.value.errcode == 40071

    userid = (await client.get_follow_user_list())[0]
    ext = (await client.list_external_contacts(userid))[0]
    await client.mark_tag(userid, ext, add=[group.tag[0].id, group.tag[1].id])
    detail = await client.get_external_contact(ext)
    mine = next(f for f in detail.follow_user if f.userid == userid)
    assert {"甲改", "乙"} <= {t.tag_name for t in mine.tags}
    await client.mark_tag(userid, ext, remove=[group.tag[1].id])
    with pytest.raises(WeComError) as bad_tag:
        await client.mark_tag(userid, ext, add=["etnotatag"])
    assert bad_tag.value.errcode == 40068

    await client.del_corp_tag(tag_ids=[t.id for t in group.tag])
    remaining = await client.get_corp_tag_list()
    assert group.group_id not in {g.group_id for g in remaining}  # empty group removed
    detail = await client.get_external_contact(ext)
    mine = next(f for f in detail.follow_user if f.userid == userid)
    assert not {"甲改", "乙"} & {t.tag_name for t in mine.tags}
    filtered = await client.get_corp_tag_list(group_ids=[remaining[0].group_id])
    assert [g.group_id for g in filtered] == [remaining[0].group_id]


async def test_remark_and_limits(client: WeComClient, control: Control) -> None:
    userid = (await client.get_follow_user_list())[1]
    ext = (await client.list_external_contacts(userid))[0]
    await client.remark(
        userid, ext, remark="王女士-老客户", description="喜欢护肤", remark_mobiles=["13800000000"]
    )
    record = control.get(f"/sandbox/customers/{ext}")
    mine = next(f for f in record["follows"] if f["userid"] == userid)
    assert mine["remark"] == "王女士-老客户" and mine["remark_mobiles"] == ["13800000000"]
    for kwargs in ({"remark": "长" * 21}, {"description": "长" * 151}, {}):
        with pytest.raises(WeComError) as info:
            await client.remark(userid, ext, **kwargs)
        assert info.value.errcode == 40058
    with pytest.raises(WeComError) as no_rel:
        await client.remark(userid, "wmnotacustomer", remark="x")
    assert no_rel.value.errcode == 40096


async def test_remark_mobiles_and_company_as_wecom_documents(
    client: WeComClient, control: Control
) -> None:
    """https://developer.work.weixin.qq.com/document/path/92115: remark_mobiles replaces the
    numbers and [""] clears them; remark_company only takes effect for WeChat users."""
    userid = (await client.get_follow_user_list())[1]
    exts = await client.list_external_contacts(userid)

    def follow(ext: str) -> dict[str, object]:
        record = control.get(f"/sandbox/customers/{ext}")
        return next(f for f in record["follows"] if f["userid"] == userid)

    types = {e: control.get(f"/sandbox/customers/{e}")["type"] for e in exts}
    wechat = next(e for e, t in types.items() if t == 1)
    await client.remark(userid, wechat, remark_mobiles=["13800000001", "13800000002"])
    await client.remark(userid, wechat, remark="老客户", remark_mobiles=[])  # [] changes nothing
    assert follow(wechat)["remark_mobiles"] == ["13800000001", "13800000002"]
    await client.remark(userid, wechat, remark_mobiles=[""])
    assert follow(wechat)["remark_mobiles"] == []
    await client.remark(userid, wechat, remark_company="青禾茶业")
    assert follow(wechat)["remark_corp_name"] == "青禾茶业"
    wecom_user = next((e for e, t in types.items() if t == 2), None)
    if wecom_user is not None:
        before = follow(wecom_user)["remark_corp_name"]
        await client.remark(userid, wecom_user, remark="同行", remark_company="青禾茶业")
        assert follow(wecom_user)["remark_corp_name"] == before != "青禾茶业"
        assert follow(wecom_user)["remark"] == "同行"


async def test_group_chat_paging(client: WeComClient, control: Control) -> None:
    total = control.get("/sandbox/info")["counts"]["group_chats"]
    pages = [p async for p in client.iter_group_chats(limit=4)]
    ids = [c.chat_id for p in pages for c in p.chats]
    assert len(ids) == len(set(ids)) == total
    assert len(pages) == -(-total // 4)
    chat = await client.get_group_chat(ids[0])
    assert chat.owner and chat.member_list and chat.member_list[0].name
    no_names = await client.get_group_chat(ids[0], need_name=False)
    assert not no_names.member_list[0].name
    owner_pages = [p async for p in client.iter_group_chats(owner_userids=[chat.owner])]
    assert chat.chat_id in {c.chat_id for p in owner_pages for c in p.chats}


async def test_no_contact_permission_gives_48002(client: WeComClient, control: Control) -> None:
    control.put("/sandbox/config", json={"contact_permission": False})
    try:
        with pytest.raises(WeComError) as info:
            await client.get_follow_user_list()
        assert await client.list_departments()
    finally:
        control.put("/sandbox/config", json={"contact_permission": True})
    assert info.value.errcode == 48002


def test_wechatpy_against_sandbox(sandbox: Sandboxed, control: Control) -> None:
    class SandboxWeChatClient(WeChatClient):  # type: ignore[misc]
        API_BASE_URL = f"{sandbox.url}/cgi-bin/"

        def fetch_access_token(self) -> Any:
            return self._fetch_access_token(
                url=f"{sandbox.url}/cgi-bin/gettoken",
                params={"corpid": self.corp_id, "corpsecret": self.secret},
            )

    wx = SandboxWeChatClient(sandbox.config.corp_id, sandbox.config.secret)
    departments = wx.department.get()
    assert departments[0]["name"] == "总部"
    users = wx.user.list(1, fetch_child=True)
    assert users and users[0]["userid"]
    follow = wx.external_contact.get_follow_user_list()["follow_user"]
    ext = wx.external_contact.list(follow[0])["external_userid"]
    detail = wx.external_contact.get(ext[0])
    assert detail["external_contact"]["external_userid"] == ext[0]
    tags = wx.external_contact.get_corp_tag_list()["tag_group"]
    assert {g["group_name"] for g in tags} >= {"来源", "意向", "行业", "会员等级"}
    control.put("/sandbox/faults", json={"expire_tokens": True})
    assert wx.external_contact.list(follow[0])["external_userid"] == ext  # refreshed on 42001
