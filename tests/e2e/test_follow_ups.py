"""Follow-up reminders in the console (Chromium, issue 16): an admin sets an employee's next
follow-up in the customer drawer, on the corp's clock; once it has passed it shows on the
逾期跟进 page under that employee, with the note."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab


async def test_set_in_the_drawer_then_overdue_page(tab: Tab, live: Team, api: httpx.Client) -> None:
    await tab.login("admin")
    await tab.goto("/customers")
    first = tab.page.get_by_test_id("customer-name").first
    ext = await first.get_attribute("data-external")
    await first.click()
    drawer = tab.page.get_by_test_id("customer-drawer")
    box = drawer.locator("[data-testid^=relation-follow-up-]").first
    await expect(box).to_contain_text("下次跟进")
    userid = (await box.get_attribute("data-testid") or "").removeprefix("relation-follow-up-")
    await box.get_by_test_id("follow-up-edit").click()
    picker = box.get_by_placeholder("下次跟进时间")
    await picker.click()
    year = datetime.now(UTC).year - 1  # already passed: overdue at once
    await picker.fill(f"{year}-05-01 09:30")
    await picker.press("Enter")
    await box.get_by_placeholder("跟进事项（可选）").fill("E2E 回访报价")
    await box.get_by_test_id("follow-up-save").click()
    await expect(box.get_by_test_id("sidebar-follow-up")).to_contain_text(f"{year}-05-01 09:30")
    cid = api.get(f"/api/v1/customers/by-external/{ext}").json()["id"]
    due = api.get(f"/api/v1/customers/{cid}/profile", params={"userid": userid}).json()
    assert due["follow_up"]["due_at"] == f"{year}-05-01T01:30:00Z"  # the corp's clock

    await tab.page.keyboard.press("Escape")  # close the drawer
    await expect(drawer).to_have_count(0)
    await tab.page.get_by_role("menuitem", name="逾期跟进").click()
    page = tab.page.get_by_test_id("follow-ups-page")
    row = page.locator("tr", has=tab.page.get_by_test_id(f"overdue-{userid}"))
    await expect(row).to_contain_text("1")
    await row.locator(".ant-table-row-expand-icon").click()
    await expect(page).to_contain_text("E2E 回访报价")
    await expect(page).to_contain_text(f"{year}-05-01 09:30")
    await tab.done()
