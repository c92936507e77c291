"""The mobile workbench /m at a phone's viewport (375×667, Chromium): a sandbox employee signs
in through WeCom's OAuth, finds a customer of theirs by name, sees today's SOP step and task,
completes the task through a share call (the JS-SDK stand-in records it in
``window.__siyuShared``; the task's progress shows it done), sends the SOP step to its customer
through a share (then it is finished) and sees the customer who just opened content first in
优先跟进, with the reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import expect
from sqlalchemy import select

from siyu.core.settings import get_settings
from siyu.customers import timeline
from siyu.customers.models import Customer, FollowRelation
from siyu.db.session import Database
from tests.accounts.conftest import Team, sign_in
from tests.conftest import Siyu, wait_for
from tests.e2e.conftest import ARTIFACTS, Tab
from tests.frontline.conftest import employees, task_body


async def _customers_of(db: Database, userid: str) -> list[tuple[int, str, str]]:
    """(id, external_userid, name) of the employee's live customers, oldest first."""
    async with db.unit_of_work() as s:
        rows = await s.execute(
            select(Customer.id, Customer.external_userid, Customer.name)
            .join(FollowRelation, FollowRelation.customer_id == Customer.id)
            .where(FollowRelation.userid == userid, FollowRelation.deleted_at.is_(None))
            .order_by(Customer.id)
        )
        return [(int(i), str(e), str(n)) for i, e, n in rows.all()]


async def test_the_workbench_on_a_phone(
    tab: Tab, live: Team, api: httpx.Client, db: Database, siyu: Siyu
) -> None:
    me = live.staff_userid
    mine = await _customers_of(db, me)
    (sop_cid, _, sop_name), (hot_cid, hot_ext, hot_name) = mine[0], mine[-1]
    phrase = api.post(
        "/api/v1/phrases", json={"kind": "text", "title": "E2E 到店有礼", "body": "周末到店有礼"}
    ).json()
    # a customer task with a link, started for the employee
    item = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "E2E 会员日", "url": "https://example.com/vip-day"},
    ).json()
    task = api.post(
        "/api/v1/tasks", json=task_body("E2E 会员日分享", [me], content_ids=[item["id"]])
    ).json()
    assert api.post(f"/api/v1/tasks/{task['id']}/start").json()["status"] == "running"
    # an SOP step due now: the employee moves their customer to the SOP's stage
    stages = {x["name"]: x["id"] for x in api.get("/api/v1/customer-stages").json()}
    tpl = api.post(
        "/api/v1/sop/templates",
        json={
            "name": "E2E 意向跟进",
            "trigger": {"kind": "stage_reached", "stage_ids": [stages["意向客户"]]},
            "steps": [{"text": "给您发一份报价单"}],
        },
    ).json()
    api.post(f"/api/v1/sop/templates/{tpl['id']}/enable", json={})
    staff = sign_in(siyu, "staff")
    assert (
        staff.put(
            f"/api/v1/customers/{sop_cid}/stage", json={"stage_id": stages["意向客户"]}
        ).status_code
        == 200
    )
    [step] = wait_for(
        lambda: staff.get("/api/v1/frontline/today").json()["sop"],
        timeout=60,
        what="the SOP step",
    )
    staff.close()
    # a customer of theirs just opened content
    async with db.unit_of_work() as s:
        await timeline.record(
            s,
            [
                timeline.entry(
                    live.corp.id,
                    hot_cid,
                    timeline.RADAR_OPENED,
                    at=datetime.now(UTC) - timedelta(minutes=3),
                    userid=me,
                    title="E2E 会员日",
                    read_seconds=75,
                )
            ],
        )

    await tab.page.set_viewport_size({"width": 375, "height": 667})
    await tab.page.context.clear_cookies()
    await tab.goto("/m")  # signed in like the sidebar: WeCom's OAuth, no login form
    await tab.page.locator(f"a[data-userid={me}]").click()
    page = tab.page

    # 我的客户: the list, then a search by name
    rows = page.get_by_test_id("wb-customer")
    await expect(rows.first).to_be_visible()
    await page.get_by_test_id("wb-search").locator("input").fill(hot_name)
    await page.get_by_test_id("wb-search").locator("input").press("Enter")
    await expect(rows.first).to_contain_text(hot_name)
    names = await rows.all_inner_texts()
    assert names and all(hot_name in n for n in names), names
    await page.screenshot(path=str(ARTIFACTS / f"{tab.name}-customers.png"))
    # a filter instead: the stage the employee just moved a customer to
    await page.get_by_test_id("wb-search").locator("input").fill("")
    await page.get_by_test_id("wb-search").locator("input").press("Enter")
    await page.get_by_test_id("wb-filter").click()
    await page.get_by_test_id("wb-filter-panel").get_by_text("意向客户", exact=True).click()
    await page.get_by_test_id("wb-filter-apply").click()
    await expect(page.get_by_test_id("wb-filter")).to_contain_text("筛选 1")
    at_stage = api.get(
        "/api/v1/customers", params={"userid": me, "stage_id": stages["意向客户"], "limit": 500}
    ).json()["items"]
    assert sop_name in [c["name"] for c in at_stage]
    await expect(rows).to_have_count(len(at_stage))
    for i, c in enumerate(at_stage):  # the same customers, newest added first
        await expect(rows.nth(i)).to_contain_text(c["name"])
        await expect(rows.nth(i)).to_contain_text("意向客户")

    # 今日待办: the SOP step and the task; the task is completed through the share
    await page.get_by_test_id("wb-tab-today").click()
    await expect(page.get_by_test_id("wb-today-sop")).to_contain_text("E2E 意向跟进")
    await expect(page.get_by_test_id("wb-today-sop")).to_contain_text(sop_name)
    row = page.get_by_test_id(f"wb-task-{task['id']}")
    await expect(row).to_contain_text("E2E 会员日分享")
    await page.screenshot(path=str(ARTIFACTS / f"{tab.name}-today.png"), full_page=True)
    await page.get_by_test_id(f"wb-task-share-{task['id']}").click()
    await expect(page.get_by_text("（沙箱）已分享，任务完成")).to_be_visible()
    await expect(row).to_have_count(0)
    shared = await page.evaluate("window.__siyuShared")
    assert [s["api"] for s in shared] == ["shareToExternalContact"]
    link = shared[0]["args"]["attachments"][0]["link"]
    assert link["title"] == "E2E 会员日" and "/r/" in link["url"]
    assert "会员日" in shared[0]["args"]["text"]["content"]
    mine_row = employees(api, task["id"])[me]
    assert mine_row["done"] is True and mine_row["share_api"] == "shareToExternalContact"
    # the SOP step goes to its customer (preselected in WeCom's picker), then is finished
    await page.get_by_test_id(f"wb-sop-send-{step['id']}").click()
    await expect(page.get_by_text("（沙箱）已发送并完成")).to_be_visible()
    await expect(page.get_by_test_id(f"wb-sop-{step['id']}")).to_have_count(0)
    shared = await page.evaluate("window.__siyuShared")
    assert shared[1]["api"] == "shareToExternalContact"
    assert shared[1]["args"]["externalUserIds"] == [step["external_userid"]]
    assert shared[1]["args"]["text"]["content"] == "给您发一份报价单"
    done = api.get("/api/v1/sop/todos", params={"status": "done", "userid": me}).json()
    assert [t["id"] for t in done["items"]] == [step["id"]]

    # 优先跟进: the customer who just opened content comes first, with what they did
    await page.get_by_test_id("wb-tab-attention").click()
    first = page.get_by_test_id(f"wb-attention-{hot_cid}")
    await expect(first).to_contain_text("打开了《E2E 会员日》，阅读 1 分 15 秒 · 3 分钟前")
    await page.screenshot(path=str(ARTIFACTS / f"{tab.name}-attention.png"))
    await first.click()
    await expect(page.get_by_test_id("wb-customer-detail")).to_contain_text(hot_name)
    await expect(page.get_by_test_id("wb-customer-detail")).to_contain_text("打开了内容")
    # a phrase of the reply library goes to this customer through WeCom's share (no chat open)
    await page.get_by_test_id(f"picker-send-{phrase['id']}").click()
    picker = page.get_by_test_id("phrase-picker")
    await expect(picker.get_by_test_id(f"picker-uses-{phrase['id']}")).to_contain_text(
        "已使用 1 次"
    )
    shared = await page.evaluate("window.__siyuShared")
    assert shared[-1] == {
        "api": "shareToExternalContact",
        "args": {"text": {"content": "周末到店有礼"}, "externalUserIds": [hot_ext]},
    }
    await tab.done()


def test_the_desktop_console_never_loads_antd_mobile(console_built: None) -> None:
    """The workbench is a lazy route: antd-mobile (its ``adm-`` classes) is in no script the
    console's page loads up front, only in the workbench's own chunk."""
    dist = get_settings().console_dir
    html = (dist / "index.html").read_text()
    upfront = re.findall(r'(?:src|href)="/assets/([\w.-]+\.js)"', html)
    assert any(name.startswith("index-") for name in upfront), html
    for name in upfront:
        assert "adm-" not in (dist / "assets" / name).read_text(), name
    chunks = list((dist / "assets").glob("WorkbenchPage-*.js"))
    assert chunks and any("adm-" in p.read_text() for p in chunks)
