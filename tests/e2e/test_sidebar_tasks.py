"""我的任务 in the chat sidebar (Chromium): a running to-do shows in the sidebar of the employee
it assigns, not of another one; the employee sends its content to the chat's customer with one
tap (their own radar link, through the JS-SDK stand-in) and marks it done, which the task's
progress shows."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect
from sqlalchemy import select

from siyu.customers.models import Customer, FollowRelation
from siyu.db.session import Database
from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab
from tests.frontline.conftest import employees, task_body


async def _followed_by(db: Database, userid: str) -> str:
    """A customer the employee follows (the chat the sidebar opens next to)."""
    async with db.unit_of_work() as s:
        ext = await s.scalar(
            select(Customer.external_userid)
            .join(FollowRelation, FollowRelation.customer_id == Customer.id)
            .where(FollowRelation.userid == userid, FollowRelation.deleted_at.is_(None))
            .order_by(Customer.id)
            .limit(1)
        )
    assert ext, f"the seed gives {userid} no customer"
    return str(ext)


async def _sidebar_as(tab: Tab, userid: str, ext: str) -> None:
    await tab.page.context.clear_cookies()
    await tab.goto(f"/sidebar?external_userid={ext}")
    await tab.page.locator(f"a[data-userid={userid}]").click()
    await tab.page.get_by_test_id("sidebar-customer").wait_for()


async def test_my_tasks_in_the_sidebar(
    tab: Tab, live: Team, api: httpx.Client, db: Database
) -> None:
    staff, other = live.staff_userid, live.manager_userid
    item = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "E2E 会员日", "url": "https://example.com/vip-day"},
    ).json()
    body = task_body(
        "E2E 回访老客户",
        [staff],
        kind="todo",
        text="请回访并发送会员日活动",
        content_ids=[item["id"]],
    )
    task = api.post("/api/v1/tasks", json=body).json()
    assert api.post(f"/api/v1/tasks/{task['id']}/start").json()["status"] == "running"
    await tab.page.set_viewport_size({"width": 390, "height": 844})

    # another employee's sidebar: no task of theirs
    await _sidebar_as(tab, other, await _followed_by(db, other))
    card = tab.page.get_by_test_id("sidebar-tasks")
    await expect(card).to_contain_text("你当前没有进行中的营销任务")
    await expect(card).not_to_contain_text("E2E 回访老客户")

    # the assigned employee's sidebar: the task, their progress, the content to send
    await _sidebar_as(tab, staff, await _followed_by(db, staff))
    row = tab.page.get_by_test_id(f"my-task-{task['id']}")
    await expect(row).to_contain_text("E2E 回访老客户")
    await expect(row).to_contain_text("截止")
    await expect(row).to_contain_text("请回访并发送会员日活动")
    await expect(row).to_contain_text("E2E 会员日")
    progress = tab.page.get_by_test_id(f"my-task-progress-{task['id']}")
    await expect(progress).to_contain_text("我未完成")

    await tab.page.get_by_test_id(f"my-task-send-{task['id']}").click()
    await expect(tab.page.get_by_text("（沙箱）任务内容已发送")).to_be_visible()
    sent = await tab.page.evaluate("window.__siyuSent")
    assert sent[0] == {"msgtype": "text", "text": {"content": "请回访并发送会员日活动"}}
    assert sent[1]["msgtype"] == "news" and sent[1]["news"]["title"] == "E2E 会员日"
    assert "/r/" in sent[1]["news"]["link"]

    await tab.page.get_by_test_id(f"my-task-done-{task['id']}").click()
    await expect(progress).to_contain_text("我已完成")
    await expect(tab.page.get_by_test_id(f"my-task-done-{task['id']}")).to_contain_text(
        re.compile("改为未完成")
    )
    assert employees(api, task["id"])[staff]["done"] is True
    assert api.get(f"/api/v1/tasks/{task['id']}").json()["totals"]["employees_done"] == 1
    await tab.done()
