"""客户群 in Chromium: a group chat's page — owner, members with their kind and tags, joins
and leaves over time, the tags in the group, members who left, a member's customer profile."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab


async def test_group_page(tab: Tab, live: Team, sb: Sandbox, api: httpx.Client) -> None:
    owner = sb.get("/sandbox/employees")[0]
    tag = api.get("/api/v1/tags/groups").json()[0]["tags"][0]
    tagged = sb.act("add_customer", userid=owner["userid"], name="陈晓")["external_userid"]
    plain = sb.act("add_customer", userid=owner["userid"], name="王芳")["external_userid"]
    leaving = sb.act("add_customer", userid=owner["userid"], name="李强")["external_userid"]
    sb.act("employee_edit", userid=owner["userid"], external_userid=tagged, add_tag=[tag["tag_id"]])
    chat = sb.act(
        "group", action="create", owner=owner["userid"], name="E2E 周末团购群", members=[tagged]
    )["chat_id"]
    sb.act("group", action="join", chat_id=chat, members=[plain, leaving], join_scene=3)
    sb.act("group", action="leave", chat_id=chat, members=[leaving])

    def settled() -> bool:
        a = api.get(f"/api/v1/groups/{chat}/activity")
        return a.status_code == 200 and a.json()["leaves"] == 1 and bool(a.json()["tags"])

    wait_for(settled, timeout=30, what="the group's changes applied")

    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("客户群")).click()
    await tab.page.locator("tr", has_text="E2E 周末团购群").click()
    page = tab.page.get_by_test_id("group-detail")
    await expect(page.get_by_test_id("group-owner")).to_have_text(owner["name"])
    await expect(page.get_by_test_id("group-leaves")).to_have_text("退群 1")
    await expect(page.get_by_test_id("group-tags")).to_contain_text(f"{tag['name']} · 1")
    members = page.get_by_test_id("group-members").locator("tbody tr.ant-table-row")
    await expect(members).to_have_count(3)  # the owner, 陈晓, 王芳
    row = members.filter(has_text="陈晓")
    await expect(row.get_by_test_id("member-flag")).to_have_text("客户")
    await expect(row).to_contain_text(tag["name"])
    await expect(members.filter(has_text=owner["name"]).get_by_test_id("member-flag")).to_have_text(
        "员工"
    )
    await expect(members.filter(has_text="王芳")).to_contain_text("扫描群二维码")
    await expect(page).not_to_contain_text("wm")  # names, not external ids

    # members who left, with the time they left
    await page.get_by_test_id("group-with-left").click()
    await expect(members).to_have_count(4)
    await expect(members.filter(has_text="李强")).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d"))

    await tab.page.screenshot(path=f"test-artifacts/{tab.name}_group.png", full_page=True)

    # a customer opens the customer's profile
    await row.get_by_text("陈晓").click()
    await expect(tab.page.get_by_test_id("customer-drawer")).to_contain_text("陈晓")
    await tab.done()
