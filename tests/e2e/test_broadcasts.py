"""群发 in Chromium: compose, preview the audience, send, watch the progress reach its end."""

from __future__ import annotations

import re
import time

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab


async def test_compose_preview_send_and_progress(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": True})  # employees confirm at once
    tag = api.get("/api/v1/tags/groups").json()[0]["tags"][0]
    preview = api.post(
        "/api/v1/broadcasts/preview", json={"filter": {"tags_any": [tag["tag_id"]]}}
    ).json()
    assert preview["total"] > 0

    # a saved segment as the audience: its members, evaluated by the preview
    rule = {"type": "tags", "match": "none", "tag_ids": [tag["tag_id"]]}
    segment = api.post("/api/v1/segments", json={"name": "E2E 未打标客户", "rule": rule}).json()
    by_segment = api.post("/api/v1/broadcasts/preview", json={"segment_id": segment["id"]}).json()

    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("群发")).click()
    await expect(tab.page).to_have_url(re.compile(r"/broadcasts$"))
    await tab.page.get_by_test_id("new-broadcast").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_label("任务名称").fill("E2E 周末到店活动")
    await modal.get_by_label("消息内容").fill("周末到店满 300 减 50，欢迎光临！")
    total = tab.page.get_by_test_id("preview-total").locator(".ant-statistic-content-value")
    await modal.get_by_text("已保存的分群").click()
    await modal.get_by_label("客户分群").click()
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option", has_text="E2E 未打标客户").click()
    await expect(total).to_have_text(f"{by_segment['total']:,}")
    await modal.get_by_text("按条件筛选").click()
    await modal.get_by_label("含任一标签").click()
    await dropdown.locator(".ant-select-item-option", has_text=tag["name"]).first.click()
    await tab.page.keyboard.press("Escape")
    await expect(total).to_have_text(f"{preview['total']:,}")
    await expect(
        tab.page.get_by_test_id("preview-capped").locator(".ant-statistic-content-value")
    ).to_have_text(str(preview["cap_blocked"]))

    await tab.page.get_by_test_id("broadcast-send").click()
    await tab.page.get_by_test_id("broadcast-confirm").click()
    await expect(tab.page).to_have_url(re.compile(r"/broadcasts/\d+$"))
    bid = int(tab.page.url.rsplit("/", 1)[1])

    # live progress: planned -> submitted -> confirmed by the sandbox -> results synced
    bar = tab.page.get_by_test_id("broadcast-progress")
    await expect(bar).to_have_attribute("data-final", "true", timeout=60_000)
    detail = api.get(f"/api/v1/broadcasts/{bid}").json()
    assert detail["status"] == "submitted" and detail["total"] == preview["total"]
    sent = detail["counts"].get("sent", 0)
    assert sent > 0
    await expect(tab.page.get_by_test_id("count-sent")).to_contain_text(str(sent))
    jobs = tab.page.locator(".ant-drawer [data-testid=broadcast-jobs] tbody tr.ant-table-row")
    await expect(jobs).to_have_count(len(detail["jobs"]))
    await tab.page.get_by_role("tab", name="客户明细").click()
    recipients = tab.page.locator("[data-testid=broadcast-recipients] tbody tr.ant-table-row")
    await expect(recipients).to_have_count(min(20, detail["total"]))
    await expect(recipients.first).to_contain_text("已送达")
    await tab.page.screenshot(path=f"test-artifacts/{tab.name}_detail.png", full_page=True)

    # back on the list the broadcast shows as submitted
    await tab.page.locator(".ant-drawer-close").click()
    row = tab.page.locator("tr", has_text="E2E 周末到店活动")
    await expect(row.get_by_test_id("broadcast-status")).to_have_text("已提交")
    await tab.done()


async def test_segment_picker_needs_a_choice_and_cancel_shows_cancelled(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    """Typing + Enter in the segment picker picks nothing (it once sent to a whole segment by
    accident); the confirmation names the segment and its size; after a cancel the employee
    rows say 已取消, not 待确认."""
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": False})  # employees never confirm
    women = api.post(
        "/api/v1/segments", json={"name": "E2E 女性客户", "rule": {"type": "gender", "values": [2]}}
    ).json()
    api.post(
        "/api/v1/segments", json={"name": "E2E 男性客户", "rule": {"type": "gender", "values": [1]}}
    )
    size = api.get(f"/api/v1/segments/{women['id']}/count").json()["count"]
    assert size > 0

    await tab.login("admin")
    await tab.goto("/broadcasts")
    await tab.page.get_by_test_id("new-broadcast").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_label("任务名称").fill("E2E 误选测试")
    await modal.get_by_label("消息内容").fill("本周新品到店，欢迎来看看。")
    await modal.get_by_text("已保存的分群").click()
    await modal.get_by_label("客户分群").click()
    await tab.page.keyboard.type("E2E")
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await expect(dropdown.locator(".ant-select-item-option")).to_have_count(2)
    await tab.page.keyboard.press("Enter")  # nothing highlighted: nothing picked
    await tab.page.keyboard.press("Escape")
    preview = tab.page.get_by_test_id("broadcast-preview")
    await expect(preview).to_contain_text("选择发送对象后显示人数")
    await expect(tab.page.get_by_test_id("broadcast-send")).to_be_disabled()

    # searching narrows the list; a click picks
    await modal.get_by_label("客户分群").click()
    await tab.page.keyboard.type("女性")
    await expect(dropdown.locator(".ant-select-item-option")).to_have_count(1)
    await dropdown.locator(".ant-select-item-option", has_text="E2E 女性客户").click()
    total = tab.page.get_by_test_id("preview-total").locator(".ant-statistic-content-value")
    await expect(total).to_have_text(f"{size:,}")
    await expect(tab.page.get_by_test_id("preview-segment")).to_contain_text("E2E 女性客户")
    await tab.page.get_by_test_id("broadcast-send").click()
    confirm = tab.page.get_by_test_id("broadcast-confirm-text")
    await expect(confirm).to_contain_text("E2E 女性客户")
    await expect(confirm).to_contain_text(f"{size:,} 位客户")
    await tab.page.get_by_test_id("broadcast-confirm").click()
    await expect(tab.page).to_have_url(re.compile(r"/broadcasts/\d+$"))
    bid = int(tab.page.url.rsplit("/", 1)[1])
    jobs = tab.page.locator(".ant-drawer [data-testid=broadcast-jobs] tbody tr.ant-table-row")
    await expect(jobs.first).to_contain_text("待确认", timeout=60_000)

    await tab.page.get_by_role("button", name="取消群发").click()
    await tab.page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确")).click()
    await expect(tab.page.locator(".ant-drawer").get_by_test_id("broadcast-status")).to_have_text(
        "已取消"
    )
    detail = api.get(f"/api/v1/broadcasts/{bid}").json()
    await expect(jobs).to_have_count(len(detail["jobs"]))
    for i in range(len(detail["jobs"])):
        await expect(jobs.nth(i)).to_contain_text("已取消")
    await expect(tab.page.locator(".ant-drawer")).not_to_contain_text("待确认")
    # the customers nobody sent to resolve as not sent (cancelled) without a click
    await expect(tab.page.get_by_test_id("count-not_sent")).to_contain_text(f"{size}")
    await expect(tab.page.get_by_test_id("count-submitted")).to_have_count(0)
    await tab.done()


async def test_group_and_moment_broadcasts(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    """群发 sends to group chats and posts moments from the console, not only to customers."""
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": True})
    chats = api.get("/api/v1/groups", params={"limit": 200}).json()["items"]
    assert chats
    poster = sb.get("/sandbox/employees")[0]
    tag = api.get("/api/v1/tags/groups").json()[0]["tags"][0]

    await tab.login("admin")
    await tab.goto("/broadcasts")
    await tab.page.get_by_test_id("new-broadcast").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_test_id("broadcast-kind").get_by_text("群发客户群").click()
    await modal.get_by_label("任务名称").fill("E2E 群内通知")
    await modal.get_by_label("消息内容").fill("本群周六晚八点抽奖，记得来！")
    total = tab.page.get_by_test_id("preview-total")
    await expect(total).to_contain_text("客户群")
    await expect(total.locator(".ant-statistic-content-value")).to_have_text(str(len(chats)))
    await tab.page.get_by_test_id("broadcast-send").click()
    await expect(tab.page.get_by_test_id("broadcast-confirm-text")).to_contain_text(
        f"{len(chats)} 个客户群"
    )
    await tab.page.get_by_test_id("broadcast-confirm").click()
    await expect(tab.page).to_have_url(re.compile(r"/broadcasts/\d+$"))
    bar = tab.page.get_by_test_id("broadcast-progress")
    await expect(bar).to_have_attribute("data-final", "true", timeout=60_000)
    await tab.page.get_by_role("tab", name="客户群明细").click()
    rows = tab.page.locator("[data-testid=broadcast-recipients] tbody tr.ant-table-row")
    await expect(rows).to_have_count(min(20, len(chats)))
    await expect(rows.first).to_contain_text("已送达")
    for chat in chats[:3]:
        await expect(tab.page.get_by_test_id("broadcast-recipients")).to_contain_text(chat["name"])
    await expect(tab.page.get_by_test_id("broadcast-recipients")).not_to_contain_text("wr")
    await tab.page.locator(".ant-drawer-close").click()
    row = tab.page.locator("tr", has_text="E2E 群内通知")
    await expect(row.get_by_test_id("broadcast-kind-tag")).to_have_text("客户群")

    # a moment, posted by one employee, visible to customers with one tag
    await tab.page.get_by_test_id("new-broadcast").click()
    await modal.get_by_test_id("broadcast-kind").get_by_text("发表朋友圈").click()
    await modal.get_by_label("任务名称").fill("E2E 新品朋友圈")
    await modal.get_by_label("消息内容").fill("秋冬新品上架，欢迎到店试穿。")
    await modal.get_by_test_id("broadcast-userids").click()
    await tab.page.keyboard.type(poster["name"])
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option", has_text=poster["name"]).first.click()
    await tab.page.keyboard.press("Escape")
    await modal.get_by_test_id("broadcast-visible-tags").click()
    await tab.page.keyboard.type(tag["name"])
    await dropdown.locator(".ant-select-item-option", has_text=tag["name"]).first.click()
    await tab.page.keyboard.press("Escape")
    await expect(tab.page.get_by_test_id("preview-moment")).to_contain_text("1")
    await tab.page.get_by_test_id("broadcast-send").click()
    await expect(tab.page.get_by_test_id("broadcast-confirm-text")).to_contain_text(
        "将请 1 位员工发表这条朋友圈"
    )
    await tab.page.get_by_test_id("broadcast-confirm").click()
    await expect(tab.page).to_have_url(re.compile(r"/broadcasts/\d+$"))
    jobs = tab.page.locator(".ant-drawer").get_by_test_id("broadcast-jobs")
    await expect(jobs).to_contain_text(poster["name"])
    await expect(jobs).to_contain_text(tag["name"])
    status = tab.page.get_by_test_id("moment-status")

    def created() -> bool:
        bid = int(tab.page.url.rsplit("/", 1)[1])
        api.post(f"/api/v1/broadcasts/{bid}/sync")
        time.sleep(0.5)  # one queued sync at a time, not one per poll
        job = api.get(f"/api/v1/broadcasts/{bid}").json()["jobs"][0]
        return bool((job.get("result") or {}).get("moment_id"))

    wait_for(created, timeout=60, what="the moment task created in WeCom")
    await expect(status).to_contain_text("已创建，待员工发表", timeout=20_000)
    (task,) = sb.get("/sandbox/moments")
    assert task["senders"] == [poster["userid"]] and task["tags"] == [tag["tag_id"]]
    await tab.done()
