"""Customer stages in Chromium: move a customer in the profile drawer and see it on the
timeline and in the list's stage filter; rename and reorder stages on the tags page."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab


async def test_drawer_changes_the_stage_and_the_timeline_shows_it(
    tab: Tab, live: Team, api: httpx.Client
) -> None:
    await tab.login("admin")
    await tab.goto("/customers")
    first = tab.page.get_by_test_id("customer-name").first
    ext = await first.get_attribute("data-external")
    await first.click()
    drawer = tab.page.get_by_test_id("customer-drawer")
    await expect(drawer.get_by_test_id("current-stage")).to_have_text("未设置阶段")
    await drawer.get_by_test_id("stage-select").click()
    await tab.page.locator(".ant-select-item-option", has_text="意向客户").click()
    await drawer.get_by_test_id("stage-note").fill("想了解年卡价格")
    await drawer.get_by_test_id("stage-save").click()
    await expect(drawer.get_by_test_id("current-stage")).to_have_text("意向客户")
    entry = drawer.locator("[data-kind=stage_changed]").first
    await expect(entry).to_contain_text("阶段变更")
    await expect(entry).to_contain_text("未设置 → 意向客户 · 想了解年卡价格")

    # the close button, not Escape: Escape only closes the drawer when focus is inside it
    await tab.page.locator(".ant-drawer-close:visible").click()
    await expect(drawer).to_be_hidden()
    await tab.page.get_by_test_id("stage-filter").click()
    await tab.page.locator(".ant-select-item-option", has_text="意向客户").click()
    await tab.page.get_by_role("button", name=re.compile("筛\\s*选")).click()
    await expect(tab.page.get_by_test_id("customer-name")).to_have_count(1)
    await expect(tab.page.get_by_test_id("customer-name")).to_have_attribute(
        "data-external", ext or ""
    )
    await tab.done()


async def test_stage_settings_rename_and_reorder(tab: Tab, live: Team, api: httpx.Client) -> None:
    await tab.login("admin")
    await tab.goto("/tags?tab=stages")
    table = tab.page.get_by_test_id("stage-table")
    names = table.get_by_test_id("stage-name")
    await expect(names).to_have_count(5)
    await tab.page.get_by_role("button", name="down-潜在客户").click()
    await expect(names.nth(0)).to_have_text("意向客户")
    await expect(names.nth(1)).to_have_text("潜在客户")
    await table.locator("tr", has_text="复购客户").locator(".ant-typography-edit").click()
    box = table.locator("textarea")
    await box.fill("老客复购")
    await box.press("Enter")
    await expect(names.nth(3)).to_have_text("老客复购")
    stages = [s["name"] for s in api.get("/api/v1/customer-stages").json()]
    assert stages == ["意向客户", "潜在客户", "成交客户", "老客复购", "流失"]
    await tab.done()
