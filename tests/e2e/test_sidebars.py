"""The 1:1 sidebar and the group sidebar at a phone's 375×667 (Chromium): the customer's
essentials above the fold, the remark edited in the sidebar and held by the sandbox (WeCom)
once the durable write went through, then the group sidebar of a sandbox group: its owner,
members and the group SOP to-do ticked."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from playwright.async_api import expect

from siyu.db.session import Database
from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab
from tests.e2e.test_sidebar_tasks import _followed_by


async def test_sidebars_edit_a_remark_and_tick_a_group_todo(
    tab: Tab, live: Team, api: httpx.Client, db: Database, sb: Sandbox
) -> None:
    staff = live.staff_userid
    ext = await _followed_by(db, staff)
    await tab.page.set_viewport_size({"width": 375, "height": 667})
    await tab.goto(f"/sidebar?external_userid={ext}")
    await tab.page.locator(f"a[data-userid={staff}]").click()
    essentials = tab.page.get_by_test_id("sidebar-essentials")
    await essentials.wait_for()
    await expect(tab.page.get_by_test_id("sidebar-follow-up")).to_contain_text("下次跟进")
    box = await essentials.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 667, box  # above the fold

    remark = tab.page.get_by_test_id("profile-remark")
    await remark.fill("E2E 王总")
    await tab.page.get_by_test_id("profile-save").click()
    await expect(tab.page.get_by_test_id("profile-write-status")).to_contain_text(
        "已同步到企业微信"
    )
    await expect(tab.page.get_by_test_id("sidebar-remark")).to_contain_text("E2E 王总")
    follow = next(f for f in sb.get(f"/sandbox/customers/{ext}")["follows"] if f["userid"] == staff)
    assert follow["remark"] == "E2E 王总"
    await tab.page.evaluate("window.scrollTo(0, 0)")
    await tab.page.screenshot(path="test-artifacts/test_sidebar_profile.png")

    # the next follow-up, picked on the corp's clock (Asia/Shanghai) whatever the browser's zone
    await tab.page.get_by_test_id("follow-up-edit").click()
    picker = tab.page.get_by_placeholder("下次跟进时间")
    await picker.click()
    year = datetime.now(UTC).year + 1
    await picker.fill(f"{year}-05-01 09:30")
    await picker.press("Enter")
    await tab.page.get_by_test_id("follow-up-save").click()
    await expect(tab.page.get_by_test_id("sidebar-follow-up")).to_contain_text(
        f"{year}-05-01 09:30"
    )
    cid = api.get(f"/api/v1/customers/by-external/{ext}").json()["id"]
    due = api.get(f"/api/v1/customers/{cid}/profile", params={"userid": staff}).json()
    assert due["follow_up"]["due_at"] == f"{year}-05-01T01:30:00Z"

    # a group of this employee with a group SOP: its sidebar, the to-do ticked
    tpl = api.post(
        "/api/v1/sop/templates",
        json={
            "name": "E2E 新群破冰",
            "target": "group",
            "trigger": {"kind": "group_created"},
            "steps": [{"text": "欢迎大家入群，群公告里有本周活动"}],
        },
    ).json()
    api.post(f"/api/v1/sop/templates/{tpl['id']}/enable", json={})
    chat = sb.act("group", action="create", owner=staff, name="E2E 会员福利群", members=[ext])[
        "chat_id"
    ]
    todo = wait_for(
        lambda: api.get("/api/v1/sop/todos", params={"chat_id": chat}).json().get("items"),
        what="the group's SOP to-do",
        timeout=30,
    )[0]
    api.post("/api/v1/group-tags", json={"name": "高价值群"})
    await tab.goto(f"/sidebar/group?chat_id={chat}")
    await tab.page.get_by_test_id("group-sidebar").wait_for()
    await expect(tab.page.get_by_test_id("group-owner")).to_contain_text("群主")
    row = tab.page.get_by_test_id(f"group-todo-{todo['id']}")
    await expect(row).to_contain_text("欢迎大家入群")
    await tab.page.get_by_test_id(f"group-todo-tick-{todo['id']}").click()
    await expect(row).to_have_count(0)
    assert (
        api.get("/api/v1/sop/todos", params={"chat_id": chat, "status": "done"}).json()["items"][0][
            "id"
        ]
        == todo["id"]
    )
    # tag the group from its sidebar
    await tab.page.get_by_test_id("group-tags").click()
    await tab.page.locator(".ant-select-item-option", has_text="高价值群").click()
    await expect(tab.page.get_by_text("群标签已更新")).to_be_visible()
    tags = api.get(f"/api/v1/groups/{chat}/sidebar").json()["tags"]
    assert [t["name"] for t in tags] == ["高价值群"]
    await tab.page.keyboard.press("Escape")
    await tab.page.get_by_test_id("group-members").scroll_into_view_if_needed()
    await expect(tab.page.get_by_test_id(f"group-member-{staff}")).to_contain_text("群主")
    await tab.done()
