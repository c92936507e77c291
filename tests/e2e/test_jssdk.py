"""The signed JS-SDK in Chromium, against the sandbox's stand-in ``ww``: the sidebar registers
with Siyu's signatures, opens for the chat's customer and sends into the chat; the stand-in
refuses every call before a valid register and a register with a wrong signature; once the
sandbox's tickets changed under Siyu's cached ones (a fault), register fails and the sidebar
says so."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox
from tests.e2e.conftest import Tab

BAD_REGISTER = """async ([corpId, agentId]) => {
  const before = await ww.sendChatMessage({msgtype: 'text', text: {content: 'x'}})
    .then(() => 'sent', (e) => e.errMsg)
  const fails = []
  ww.register({
    corpId, agentId, jsApiList: ['sendChatMessage'],
    getConfigSignature: () => ({timestamp: 1700000000, nonceStr: 'n', signature: 'f'.repeat(40)}),
    getAgentConfigSignature: () => ({timestamp: 1700000000, nonceStr: 'n', signature: 'f'.repeat(40)}),
    onConfigFail: (e) => fails.push(e.errMsg),
  })
  const ready = await ww.ensureConfigReady().then(() => 'ready', (e) => e.errMsg)
  const after = await ww.getCurExternalContact().then(() => 'ok', (e) => e.errMsg)
  return {before, ready, fails, after}
}"""


async def test_register_signed_and_wrongly_signed(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    page = tab.page
    # the 1:1 sidebar: register with Siyu's signatures, the chat's customer, send into the chat
    added = sb.act("add_customer", userid=live.staff_userid, state="e2e-jssdk", name="林知夏")
    ext = added["external_userid"]
    item = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "E2E 新品手册", "url": "https://example.com/new"},
    ).json()
    await page.set_viewport_size({"width": 390, "height": 844})
    await tab.goto(f"/sidebar?external_userid={ext}")
    await page.locator(f"a[data-userid={live.staff_userid}]").click()
    card = page.get_by_test_id("sidebar-customer")
    await expect(card).to_contain_text("林知夏")
    assert await page.evaluate("window.ww.isStandIn") is True
    await page.get_by_test_id(f"content-send-{item['id']}").click()
    await expect(page.get_by_text("（沙箱）已发送")).to_be_visible()
    sent = await page.evaluate("window.__siyuSent")
    assert [m["news"]["title"] for m in sent] == ["E2E 新品手册"]
    assert "/r/" in sent[0]["news"]["link"]
    stats = sb.get("/sandbox/stats")
    assert stats["get_jsapi_ticket"] == 1 and stats["ticket/get"] == 1

    # the stand-in alone (a page of no Siyu): nothing works before register, and a wrong
    # signature fails register
    await page.goto(f"{sb.url}/sandbox/jssdk/ww.js")
    await page.set_content(f'<script src="{sb.url}/sandbox/jssdk/ww.js"></script>')
    out = await page.evaluate(BAD_REGISTER, [sb.config.corp_id, sb.config.agent_id])
    assert out == {
        "before": "sendChatMessage:fail no permission",
        "ready": "config:fail invalid signature",
        "fails": ["config:fail invalid signature"],
        "after": "getCurExternalContact:fail no permission",
    }

    # WeCom's tickets change under Siyu's cached ones: Siyu signs wrong, register fails
    sb.put("/sandbox/faults", {"rotate_jsapi_tickets": True})
    await tab.goto(f"/sidebar?external_userid={ext}")
    error = page.get_by_test_id("jssdk-error")
    await expect(error).to_contain_text("企业微信 JS-SDK 注册失败")
    await expect(error).to_contain_text("invalid signature")
    await expect(page.get_by_test_id("sidebar-customer")).to_have_count(0)
    await expect(page.get_by_text(re.compile("沙箱：选择当前聊天的客户"))).to_have_count(0)
    assert await page.evaluate("window.__siyuSent") is None
    await tab.done()
