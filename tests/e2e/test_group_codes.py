"""群活码 in Chromium: create a code over synced group chats, download its QR, a sandbox customer
joins through it, the code's stats count the join per group and per day."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab


def _joins(api: httpx.Client, code_id: int) -> int:
    return int(api.get(f"/api/v1/acquisition/group-codes/{code_id}/stats").json()["joins"])


async def test_create_group_code_download_qr_and_stats(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    chats = api.get("/api/v1/groups", params={"limit": 2}).json()["items"]
    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("群活码")).click()
    await expect(tab.page).to_have_url(re.compile(r"/group-codes$"))
    await expect(tab.page.locator(".ant-empty")).to_contain_text("还没有群活码")
    await tab.page.get_by_test_id("new-group-code").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_label("活码名称").fill("E2E 双十一福利群")
    # saving without a group chat says what is missing
    await tab.page.get_by_test_id("group-code-submit").click()
    await expect(modal).to_contain_text("至少选择一个群聊")
    await modal.get_by_label("群聊").click()
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    for chat in chats:
        await dropdown.locator(".ant-select-item-option", has_text=chat["name"]).first.click()
    await tab.page.keyboard.press("Escape")
    await modal.get_by_label("新群名称").fill("福利群")
    await tab.page.get_by_test_id("group-code-submit").click()

    # the new code opens in its drawer with the QR; the QR downloads as a PNG
    drawer = tab.page.locator(".ant-drawer")
    state = (await drawer.get_by_test_id("group-code-state").inner_text()).strip()
    code = next(
        c for c in api.get("/api/v1/acquisition/group-codes").json()["items"] if c["state"] == state
    )
    assert code["name"] == "E2E 双十一福利群" and code["chat_ids"] == [c["chat_id"] for c in chats]
    assert code["auto_create_room"] and code["room_base_name"] == "福利群"
    async with tab.page.expect_download() as info:
        await drawer.get_by_test_id("group-code-qr-download").click()
    download = await info.value
    path = await download.path()
    assert download.suggested_filename == f"group_code_{code['id']}.png"
    assert path is not None and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    await expect(drawer.get_by_test_id("group-code-totals")).to_contain_text("累计入群0")
    await drawer.locator(".ant-drawer-close").click()

    # a customer scans the code and joins the first group chat
    joined = sb.act("scan_join_way", config_id=code["config_id"], name="扫码入群的刘晓")
    assert joined["chat_id"] == chats[0]["chat_id"]
    wait_for(lambda: _joins(api, code["id"]) == 1, timeout=30, what="the join is recorded")
    await tab.page.reload()
    row = tab.page.locator("tr", has_text="E2E 双十一福利群")
    await expect(row).to_contain_text(chats[0]["name"])
    await row.get_by_text("数据").click()
    drawer = tab.page.locator(".ant-drawer")
    await expect(drawer.get_by_test_id("group-code-totals")).to_contain_text("累计入群1")
    groups = drawer.get_by_test_id("group-code-groups")
    first = groups.locator("tr", has_text=chats[0]["name"])
    await expect(first).to_contain_text(f"{chats[0]['member_count'] + 1}/200")
    await expect(drawer.locator("canvas")).to_be_visible()
    await tab.done()
