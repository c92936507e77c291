"""营销任务 in Chromium: create a task with the wizard, the sandbox employee confirms sending,
sync, see per-employee completion, the leaderboard, remind the laggard."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab


async def test_create_confirm_sync_completion_and_leaderboard(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": False, "cap_rule": "off"})
    senders = api.post("/api/v1/broadcasts/preview", json={}).json()["by_employee"][:2]
    names = {
        e["userid"]: e["name"]
        for e in api.get("/api/v1/employees", params={"limit": 200}).json()["items"]
    }
    first, second = sorted(s["userid"] for s in senders)
    expected = api.post("/api/v1/broadcasts/preview", json={"userids": [first, second]}).json()
    item = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "会员日详情", "url": "https://example.com/vip-day"},
    )
    assert item.status_code == 201, item.text

    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("营销任务")).click()
    await expect(tab.page).to_have_url(re.compile(r"/tasks$"))
    await tab.page.get_by_test_id("new-task").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_label("任务名称").fill("E2E 会员日任务")
    await modal.get_by_label("消息内容").fill("会员日全场八折，欢迎到店！")
    await modal.get_by_label("素材（内容库）").click()
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option", has_text="会员日详情").click()
    await tab.page.keyboard.press("Escape")
    await expect(tab.page.locator(".ant-select-dropdown:visible")).to_have_count(0)
    await tab.page.get_by_test_id("wizard-next").click()
    await tab.page.get_by_test_id("wizard-next").click()
    await modal.get_by_label("执行员工").click()
    for userid in (first, second):
        await dropdown.locator(".ant-select-item-option", has_text=names[userid]).first.click()
    await tab.page.keyboard.press("Escape")
    await expect(tab.page.locator(".ant-select-dropdown:visible")).to_have_count(0)
    targets = tab.page.get_by_test_id("preview-targets").locator(".ant-statistic-content-value")
    await expect(targets).to_have_text(f"{expected['total']:,}")
    await tab.page.screenshot(path=f"test-artifacts/{tab.name}_wizard.png")
    await tab.page.get_by_test_id("wizard-start").click()
    await expect(tab.page).to_have_url(re.compile(r"/tasks/\d+$"))
    task_id = int(tab.page.url.rsplit("/", 1)[1])
    drawer = tab.page.locator(".ant-drawer")
    await expect(drawer.get_by_test_id("task-status")).to_have_text("进行中")

    # the employees were told; the first one confirms the mass message in "WeCom"
    def message_of(userid: str) -> str | None:
        msgs = sb.get("/sandbox/groupmsg/messages", sender=userid)
        return str(msgs[0]["msgid"]) if msgs else None

    msgid = wait_for(lambda: message_of(first), timeout=60, what="the mass message")
    wait_for(lambda: message_of(second), timeout=60, what="the second mass message")
    links = [m["attachments"][0]["link"]["url"] for m in sb.get("/sandbox/groupmsg/messages")]
    assert len(set(links)) == 2 and all("/r/" in u for u in links)  # a radar link per employee
    r = sb.http.post(f"/sandbox/groupmsg/messages/{msgid}/employee", json={"action": "confirm"})
    assert r.status_code == 200

    done_tags = drawer.locator("[data-testid=task-employees] [data-testid=employee-done]")
    for _ in range(20):
        await drawer.get_by_test_id("task-sync").click()
        try:
            await expect(done_tags).to_have_count(1, timeout=3_000)
            break
        except AssertionError:
            continue
    await expect(done_tags).to_have_count(1)
    rows = drawer.locator("[data-testid=task-employees] tbody tr.ant-table-row")
    await expect(rows).to_have_count(2)
    await expect(rows.filter(has_text=names[first])).to_contain_text("已完成")
    await expect(rows.filter(has_text=names[second])).to_contain_text("未完成")
    done_stat = drawer.get_by_test_id("task-employees-done").locator(".ant-statistic-content")
    await expect(done_stat).to_contain_text("1")
    detail = api.get(f"/api/v1/tasks/{task_id}").json()
    assert detail["totals"]["employees_done"] == 1
    assert detail["totals"]["assigned"] == expected["total"]

    await drawer.get_by_test_id("task-remind").click()
    await expect(tab.page.locator(".ant-message")).to_contain_text("已提醒 1 位")

    await drawer.get_by_role("tab", name="排行榜").click()
    board = drawer.locator("[data-testid=leaderboard] tbody tr.ant-table-row")
    await expect(board).to_have_count(2)
    await expect(board.first).to_contain_text(names[first])
    await expect(drawer.locator("canvas").first).to_be_visible()
    await tab.page.screenshot(path=f"test-artifacts/{tab.name}_detail.png", full_page=True)

    await tab.page.locator(".ant-drawer-close").click()
    row = tab.page.locator("tr", has_text="E2E 会员日任务")
    await expect(row.get_by_test_id("task-status")).to_have_text("进行中")
    await expect(row.get_by_test_id("task-progress")).to_be_visible()
    await tab.page.get_by_role("tab", name="员工排行").click()
    period = tab.page.locator("[data-testid=leaderboard] tbody tr.ant-table-row")
    await expect(period.first).to_contain_text(names[first])
    await tab.done()
