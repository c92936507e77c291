"""Two corps in one Siyu: the sign-in page asks which corp, and the console is that corp's."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.accounts.test_several_corps import second as second  # the fixture, re-exported
from tests.accounts.test_several_corps import second_sandbox as second_sandbox
from tests.conftest import CorpHandle
from tests.e2e.conftest import Tab


async def test_sign_in_asks_which_corp(tab: Tab, second: CorpHandle) -> None:
    await tab.goto("/customers")
    await expect(tab.page).to_have_url(re.compile(r"/login\?next="))
    choice = tab.page.get_by_test_id("corp-choice")
    await expect(choice).to_be_visible()
    # signing in without a choice says so, in Chinese
    await tab.page.locator("#username").fill("admin")
    await tab.page.locator("#password").fill("another-pw-1")
    await tab.page.locator("button[type=submit]").click()
    await expect(tab.page.get_by_text("请选择要登录的企业")).to_be_visible()
    await choice.click()
    await tab.page.get_by_title("分公司").click()
    await tab.page.locator("button[type=submit]").click()
    await tab.page.get_by_test_id("user-menu").wait_for()
    await expect(tab.page).to_have_url(re.compile(r"/customers$"))
    await expect(tab.page.get_by_text("分公司").first).to_be_visible()
    await tab.done()


async def test_the_url_names_the_corp(tab: Tab, second: CorpHandle) -> None:
    await tab.goto(f"/login?corp={second.wecom_corp_id}")
    await expect(tab.page.get_by_test_id("corp-choice")).to_contain_text("分公司")
    await tab.login("admin", "another-pw-1", here=True)
    await expect(tab.page.get_by_text("分公司").first).to_be_visible()
    await tab.done()
