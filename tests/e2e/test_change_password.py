"""A user given a one-time password sees the change-password screen first, in Chinese, and the
console once it is changed."""

from __future__ import annotations

from playwright.async_api import expect

from siyu.accounts import service as accounts
from siyu.corps import service as corps
from siyu.db.session import Database
from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab


async def test_a_one_time_password_is_changed_first(tab: Tab, db: Database, team: Team) -> None:
    async with db.unit_of_work() as s:
        corp = await corps.resolve(s, None)
        _, given = await accounts.create_user(s, corp.id, username="xiaoli", role="operator")
    await tab.goto("/customers")
    await tab.page.locator("#username").fill("xiaoli")
    await tab.page.locator("#password").fill(given)
    await tab.page.locator("button[type=submit]").click()
    screen = tab.page.get_by_test_id("change-password")
    await expect(screen).to_contain_text("请先修改密码")
    await tab.page.locator("#current-password").fill(given)
    await tab.page.locator("#new-password").fill("xiaoli-own-pass")
    await tab.page.locator("#confirm-password").fill("xiaoli-other")
    await tab.page.get_by_role("button", name="修改密码并继续").click()
    await expect(screen).to_contain_text("两次输入的密码不一致")
    await tab.page.locator("#confirm-password").fill("xiaoli-own-pass")
    await tab.page.get_by_role("button", name="修改密码并继续").click()
    await tab.page.get_by_test_id("user-menu").wait_for()
    await expect(screen).to_have_count(0)
    await tab.done()
