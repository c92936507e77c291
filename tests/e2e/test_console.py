"""The console and the sidebar in Chromium, against a live Siyu fed by the WeCom sandbox."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox
from tests.e2e.conftest import Tab


def _count(api: httpx.Client, **params: str) -> int:
    return int(api.get("/api/v1/customers/count", params=params).json()["count"])


def _first_tag(api: httpx.Client) -> dict[str, str]:
    group = api.get("/api/v1/tags/groups").json()[0]
    return {"tag_id": group["tags"][0]["tag_id"], "name": group["tags"][0]["name"]}


async def test_login_and_customer_list(tab: Tab, live: Team, api: httpx.Client) -> None:
    await tab.goto("/customers")  # deep link: redirected to the login page first
    await expect(tab.page).to_have_url(re.compile(r"/login\?next="))
    await tab.login("admin", here=True)
    await expect(tab.page).to_have_url(re.compile(r"/customers$"))
    total = _count(api)
    await expect(tab.page.get_by_test_id("customer-count")).to_contain_text(str(total))
    await expect(tab.page.get_by_test_id("customer-name")).to_have_count(20)
    await tab.page.get_by_role("button", name=re.compile("下一页")).click()
    await expect(tab.page.get_by_text("第 2 页")).to_be_visible()
    await tab.done()


async def test_new_sandbox_customer_shows_in_list_and_dashboard(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    await tab.login("admin")
    await expect(tab.page.get_by_test_id("stat-new")).to_be_visible()
    before = int(api.get("/api/v1/analytics/dashboard").json()["new_customers"])
    tag = _first_tag(api)
    added = sb.act("add_customer", userid=live.staff_userid, state="e2e-poster", name="林晓雨")
    sb.act(
        "employee_edit",
        userid=live.staff_userid,
        external_userid=added["external_userid"],
        add_tag=[tag["tag_id"]],
    )
    await tab.goto("/customers")
    await tab.page.get_by_placeholder("渠道参数").fill("e2e-poster")
    await tab.page.get_by_role("button", name=re.compile("筛\\s*选")).click()
    row = tab.page.locator("tr", has_text="林晓雨")
    await expect(row).to_be_visible()
    await expect(row).to_contain_text(tag["name"])
    await tab.goto("/")
    await expect(tab.page.get_by_test_id("stat-new")).to_contain_text(str(before + 1))
    await tab.done()


async def test_profile_drawer_adds_a_tag(tab: Tab, live: Team, api: httpx.Client) -> None:
    await tab.login("admin")
    await tab.goto("/customers")
    await tab.page.get_by_test_id("customer-name").first.click()
    drawer = tab.page.get_by_test_id("customer-drawer")
    await expect(drawer).to_be_visible()
    relation = drawer.locator("[data-testid^=relation-]").first
    userid = (await relation.get_attribute("data-testid") or "").removeprefix("relation-")
    existing = await relation.locator(".ant-tag").all_inner_texts()
    await relation.get_by_test_id(f"add-tag-{userid}").click()
    option = tab.page.locator(".ant-select-item-option:not(.ant-select-item-option-disabled)")
    choice = (await option.first.inner_text()).strip()
    await option.first.click()
    await expect(relation.locator(".ant-tag", has_text=choice)).to_be_visible(timeout=30_000)
    assert len(await relation.locator(".ant-tag").all_inner_texts()) == len(existing) + 1
    await expect(drawer.locator("[data-kind=tagged]").first).to_be_visible()
    await tab.done()


async def test_sidebar_signs_in_through_wecom_and_tags(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    added = sb.act("add_customer", userid=live.staff_userid, state="e2e-sidebar", name="周若溪")
    ext = added["external_userid"]
    await tab.page.set_viewport_size({"width": 390, "height": 844})
    await tab.goto(f"/sidebar?external_userid={ext}")
    # the sandbox's WeCom sign-in page: pick the employee
    await tab.page.locator(f"a[data-userid={live.staff_userid}]").click()
    await expect(tab.page).to_have_url(re.compile(r"/sidebar\?external_userid="))
    card = tab.page.get_by_test_id("sidebar-customer")
    await expect(card).to_contain_text("周若溪")
    await card.get_by_test_id(f"add-tag-{live.staff_userid}").click()
    option = tab.page.locator(".ant-select-item-option").first
    choice = (await option.inner_text()).strip()
    await option.click()
    await expect(card.locator(".ant-tag", has_text=choice)).to_be_visible(timeout=30_000)
    await card.get_by_placeholder("记录本次沟通要点…").fill("客户关注周末到店活动")
    await card.get_by_role("button", name=re.compile("保存记录")).click()
    await expect(card.locator("[data-kind=note]", has_text="客户关注周末到店活动")).to_be_visible()
    customer = api.get(f"/api/v1/customers/by-external/{ext}").json()
    assert choice in {t["name"] for t in customer["tags"]}
    await tab.done()


async def test_staff_sees_only_their_customers_and_no_settings(
    tab: Tab, live: Team, api: httpx.Client
) -> None:
    await tab.login("staff")
    await expect(tab.page.get_by_role("menuitem", name=re.compile("客户$"))).to_have_count(1)
    await expect(tab.page.get_by_role("menuitem", name=re.compile("设置"))).to_have_count(0)
    await tab.goto("/customers")
    mine = _count(api, userid=live.staff_userid)
    assert mine < _count(api)
    await expect(tab.page.get_by_test_id("customer-count")).to_contain_text(f"共 {mine} 位")
    await tab.goto("/settings")
    await expect(tab.page).not_to_have_url(re.compile(r"/settings"))
    refused = await tab.page.request.get(tab.base + "/api/v1/settings/wecom")
    assert refused.status == 403
    await tab.done()


async def test_admin_settings_show_callback_and_audit(tab: Tab, live: Team) -> None:
    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("设置")).click()
    await expect(tab.page.get_by_test_id("callback-url")).to_contain_text("/wecom/callback/")
    await tab.page.get_by_role("tab", name="操作日志").click()
    # the sign-in reads as a sentence, not as the action's code (auth.login)
    await expect(tab.page.get_by_text("登录", exact=True).first).to_be_visible()
    await expect(tab.page.get_by_text("auth.login")).to_have_count(0)
    await tab.page.get_by_text("EN", exact=True).click()
    await expect(tab.page.get_by_role("tab", name="Audit log")).to_be_visible()
    await tab.done()
