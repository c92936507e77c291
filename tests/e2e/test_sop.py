"""SOP in Chromium: an operator builds a channel-code SOP in the console, a sandbox customer
adds through the code, the step ("day 0 +0 min") is due at once and reaches the employee's
sidebar; the employee sends it (the JS-SDK stand-in) and it shows as done in the SOP's stats."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab


async def choose(tab: Tab, testid: str, option: str) -> None:
    """Open the antd select with ``testid`` in the drawer and choose ``option``."""
    await tab.page.get_by_test_id(testid).click()
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option", has_text=option).first.click()
    await tab.page.keyboard.press("Escape")
    await expect(tab.page.locator(".ant-select-dropdown:visible")).to_have_count(0)


async def test_sop_from_console_to_sidebar_and_stats(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    staff = live.staff_userid
    code = api.post(
        "/api/v1/acquisition/channels", json={"name": "E2E 门店海报", "userids": [staff]}
    ).json()
    guide = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "E2E 新客指南", "url": "https://example.com/guide"},
    ).json()

    # the operator builds the SOP in the console
    await tab.login("operator")
    await tab.page.get_by_role("menuitem", name=re.compile("SOP$")).click()
    await expect(tab.page).to_have_url(re.compile(r"/sop$"))
    await expect(tab.page.get_by_text("还没有 SOP")).to_be_visible()
    await tab.page.get_by_test_id("sop-new").click()
    # saving an empty form explains what is missing, nothing is created
    await tab.page.get_by_test_id("sop-save").click()
    await expect(tab.page.get_by_test_id("sop-error")).to_contain_text("请填写 SOP 名称")
    assert api.get("/api/v1/sop/templates").json() == []
    await tab.page.get_by_test_id("sop-name").fill("E2E 新客欢迎")
    await choose(tab, "sop-channels", "E2E 门店海报")
    await tab.page.get_by_test_id("sop-step-0-text").fill("您好，我是您的专属顾问，欢迎随时咨询！")
    await choose(tab, "sop-step-0-items", "E2E 新客指南")
    await tab.page.get_by_test_id("sop-add-step").click()
    await tab.page.get_by_test_id("sop-step-1-text").fill("三天后回访")
    await tab.page.get_by_test_id("sop-save").click()
    row = tab.page.locator("tr", has_text="E2E 新客欢迎")
    await expect(row).to_contain_text("第 0 天 +0 分钟")
    await expect(row).to_contain_text("第 1 天 +0 分钟")
    tpl = api.get("/api/v1/sop/templates").json()[0]
    assert tpl["trigger"] == {"kind": "channel", "channel_ids": [code["id"]]}
    assert tpl["steps"][0]["item_ids"] == [guide["id"]]
    await tab.page.get_by_test_id(f"sop-enable-{tpl['id']}").click()
    # nobody added through the new code yet: nothing to start now
    await expect(tab.page.get_by_test_id("sop-backfill-preview")).to_contain_text(
        "目前没有客户符合"
    )
    await expect(tab.page.get_by_test_id("sop-enable-backfill")).to_have_count(0)
    await tab.page.get_by_test_id("sop-enable-new-only").click()
    await expect(tab.page.get_by_text("已启用")).to_be_visible()

    # a sandbox customer adds the employee through the channel code
    added = sb.act("add_customer", userid=staff, state=code["state"], name="孙悦")
    ext = added["external_userid"]
    wait_for(
        lambda: (
            (r := api.get("/api/v1/sop/todos", params={"external_userid": ext})).status_code == 200
            and r.json()["items"]
        ),
        what="the SOP to-do",
        timeout=60,
    )

    # the employee opens the sidebar in the chat with that customer
    await tab.page.context.clear_cookies()
    await tab.page.set_viewport_size({"width": 390, "height": 844})
    await tab.goto(f"/sidebar?external_userid={ext}")
    await tab.page.locator(f"a[data-userid={staff}]").click()
    card = tab.page.get_by_test_id("sidebar-sop")
    await expect(card).to_contain_text("E2E 新客欢迎")
    await expect(card).to_contain_text("您好，我是您的专属顾问")
    await expect(card).to_contain_text("E2E 新客指南")
    await expect(tab.page.get_by_test_id("sidebar-content")).to_contain_text("E2E 新客指南")
    await card.get_by_role("button", name=re.compile("发送")).click()
    await expect(tab.page.get_by_text("（沙箱）已发送并完成")).to_be_visible()
    await expect(card).to_contain_text("今天没有这位客户的 SOP 待办")
    sent = await tab.page.evaluate("window.__siyuSent")
    assert sent[0] == {
        "msgtype": "text",
        "text": {"content": "您好，我是您的专属顾问，欢迎随时咨询！"},
    }
    assert sent[1]["msgtype"] == "news" and "/r/" in sent[1]["news"]["link"]
    await expect(
        tab.page.locator("[data-kind=sop_step_done]", has_text="E2E 新客欢迎")
    ).to_be_visible()
    await tab.page.screenshot(path="test-artifacts/test_sop_sidebar.png", full_page=True)

    # recommended content: one tap sends the guide as this customer's radar link, counts a use
    uses = api.get(f"/api/v1/content/{guide['id']}").json()["uses"]
    await tab.page.get_by_test_id(f"content-send-{guide['id']}").click()
    await expect(tab.page.get_by_text("（沙箱）已发送", exact=True)).to_be_visible()
    sent = await tab.page.evaluate("window.__siyuSent")
    assert len(sent) == 3 and sent[2]["news"]["title"] == "E2E 新客指南"
    assert "/r/" in sent[2]["news"]["link"]
    assert api.get(f"/api/v1/content/{guide['id']}").json()["uses"] == uses + 1

    # back in the console, the SOP's statistics count it as done
    await tab.page.context.clear_cookies()
    await tab.page.set_viewport_size({"width": 1360, "height": 900})
    await tab.login("operator")
    await tab.goto("/sop")
    await expect(tab.page.get_by_test_id(f"sop-done-{tpl['id']}")).to_have_text("1")
    await tab.page.get_by_test_id(f"sop-stats-{tpl['id']}").click()
    stats = tab.page.get_by_test_id("sop-stats")
    await expect(stats).to_contain_text("进行中")
    await expect(stats.locator("tr", has_text="第 0 天 +0 分钟")).to_contain_text("1")
    await tab.page.screenshot(path="test-artifacts/test_sop_stats.png", full_page=True)
    await tab.page.keyboard.press("Escape")
    await expect(stats).to_be_hidden()
    await tab.page.get_by_text("EN", exact=True).click()
    await expect(tab.page.get_by_role("tab", name="Overdue to-dos")).to_be_visible()
    await expect(tab.page.locator("th", has_text="Running")).to_be_visible()
    await tab.done()


async def test_enabling_offers_customers_who_already_match(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    tag = api.get("/api/v1/tags/groups").json()[0]["tags"][0]
    rule = {"type": "tags", "tag_ids": [tag["tag_id"]]}
    matching = api.post("/api/v1/segments/preview", json={"rule": rule}).json()["count"]
    assert matching > 0
    tpl = api.post(
        "/api/v1/sop/templates",
        json={
            "name": "E2E 老客唤醒",
            "trigger": {"kind": "tag_added", "tag_ids": [tag["tag_id"]]},
            "steps": [{"day": 1, "text": "好久不见，最近上了新品"}],
        },
    ).json()

    await tab.login("operator")
    await tab.goto("/sop")
    await tab.page.get_by_test_id(f"sop-enable-{tpl['id']}").click()
    offer = tab.page.get_by_test_id("sop-backfill-preview")
    await expect(offer).to_contain_text(f"已有 {matching} 位客户符合触发条件")
    await tab.page.get_by_test_id("sop-enable-backfill").click()
    row = tab.page.locator("tr", has_text="E2E 老客唤醒")
    wait_for(
        lambda: api.get(f"/api/v1/sop/templates/{tpl['id']}").json()["backfill_status"] == "done",
        timeout=60,
        what="the backfill",
    )
    # the list follows the backfill to its end: every matching customer is running it
    await expect(row.locator("td").nth(3)).to_have_text(str(matching), timeout=20_000)
    assert api.get(f"/api/v1/sop/templates/{tpl['id']}/backfill").json()["new"] == 0
    await tab.done()
