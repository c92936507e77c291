"""话术库 end to end (Chromium): an operator files a phrase in a folder on /phrases; a staff
member finds it in the chat sidebar's picker, sends it with one tap (through the JS-SDK
stand-in), adds a personal phrase and sends that too; the console then shows the use."""

from __future__ import annotations

import io

import httpx
from PIL import Image
from playwright.async_api import expect
from sqlalchemy import select

from siyu.customers.models import Customer, FollowRelation
from siyu.db.session import Database
from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab


async def _followed_by(db: Database, userid: str) -> str:
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


async def test_manage_send_and_count_a_phrase(
    tab: Tab, live: Team, api: httpx.Client, db: Database
) -> None:
    page = tab.page
    # the operator's page: a folder, then a phrase filed in it
    await tab.login("operator")
    await tab.goto("/phrases")
    await page.get_by_test_id("phrase-folder-new").click()
    await page.get_by_test_id("phrase-folder-name").fill("E2E 开场白")
    await page.get_by_test_id("phrase-folder-save").click()
    await page.get_by_test_id("phrase-folders").get_by_text("E2E 开场白 (0)").click()
    await page.get_by_test_id("phrase-new").click()
    await page.get_by_test_id("phrase-title").fill("E2E 新客问候")
    await page.get_by_test_id("phrase-body").fill("您好，我是您的专属顾问，有任何问题随时找我～")
    await page.get_by_test_id("phrase-save").click()
    table = page.get_by_test_id("phrase-table")
    await expect(table).to_contain_text("E2E 新客问候")
    await expect(table).to_contain_text("E2E 开场白")
    await expect(page.get_by_test_id("phrase-folders")).to_contain_text("E2E 开场白 (1)")
    made = api.get("/api/v1/phrases", params={"keyword": "E2E 新客问候"}).json()["items"]
    assert len(made) == 1 and made[0]["uses"] == 0
    pid = made[0]["id"]
    # an image and a link, filed through the API
    png = io.BytesIO()
    Image.new("RGB", (8, 8), (7, 193, 96)).save(png, "PNG")
    up = api.post(
        "/api/v1/phrases/images", files={"file": ("店铺.png", png.getvalue(), "image/png")}
    )
    pic = api.post(
        "/api/v1/phrases",
        json={"kind": "image", "title": "门店实拍", "file_id": up.json()["file_id"]},
    ).json()
    link = api.post(
        "/api/v1/phrases",
        json={
            "kind": "link",
            "title": "会员日",
            "url": "https://example.com/vip",
            "description": "八折",
        },
    ).json()

    # the staff member's sidebar next to a chat with their customer
    staff = live.staff_userid
    await page.context.clear_cookies()
    await page.set_viewport_size({"width": 390, "height": 844})
    await tab.goto(f"/sidebar?external_userid={await _followed_by(db, staff)}")
    await page.locator(f"a[data-userid={staff}]").click()
    picker = page.get_by_test_id("phrase-picker")
    search = picker.get_by_test_id("picker-search").locator("input")
    await search.fill("专属顾问")
    await search.press("Enter")
    await expect(picker.get_by_test_id(f"picker-phrase-{pid}")).to_contain_text("E2E 新客问候")
    await picker.get_by_test_id(f"picker-send-{pid}").click()
    await expect(page.get_by_text("（沙箱）话术已发送")).to_be_visible()
    await expect(picker.get_by_test_id(f"picker-uses-{pid}")).to_contain_text("已使用 1 次")
    sent = await page.evaluate("window.__siyuSent")
    assert sent == [
        {"msgtype": "text", "text": {"content": "您好，我是您的专属顾问，有任何问题随时找我～"}}
    ]

    # a phrase of their own, added from the picker and sent the same way
    await search.fill("")
    await search.press("Enter")
    # an image goes as WeCom temporary media (uploaded by Siyu), a link as a news card
    await picker.get_by_test_id(f"picker-send-{pic['id']}").click()
    await expect(picker.get_by_test_id(f"picker-uses-{pic['id']}")).to_contain_text("已使用 1 次")
    await picker.get_by_test_id(f"picker-send-{link['id']}").click()
    await expect(picker.get_by_test_id(f"picker-uses-{link['id']}")).to_contain_text("已使用 1 次")
    sent = await page.evaluate("window.__siyuSent")
    assert sent[1]["msgtype"] == "image" and sent[1]["image"]["mediaid"]
    assert sent[2] == {
        "msgtype": "news",
        "news": {
            "link": "https://example.com/vip",
            "title": "会员日",
            "desc": "八折",
            "imgUrl": "",
        },
    }
    await picker.get_by_test_id("picker-tabs").get_by_text("我的话术").click()
    await picker.get_by_test_id("picker-add").click()
    await page.get_by_test_id("phrase-title").fill("我的结束语")
    await page.get_by_test_id("phrase-body").fill("感谢您的耐心，祝您生活愉快！")
    await page.get_by_test_id("phrase-save").click()
    mine = picker.locator("[data-testid^=picker-phrase-]").filter(has_text="我的结束语")
    await expect(mine).to_be_visible()
    await mine.get_by_role("button", name="发送").click()
    await expect(mine).to_contain_text("已使用 1 次")
    sent = await page.evaluate("window.__siyuSent")
    assert sent[-1] == {"msgtype": "text", "text": {"content": "感谢您的耐心，祝您生活愉快！"}}

    # the console counts the use; the staff member's own phrase stays theirs
    assert api.get(f"/api/v1/phrases/{pid}").json()["uses"] == 1
    await page.context.clear_cookies()
    await page.set_viewport_size({"width": 1360, "height": 900})
    await tab.login("operator")
    await tab.goto("/phrases")
    await expect(page.get_by_test_id(f"phrase-uses-{pid}")).to_have_text("1")
    await expect(page.get_by_test_id("phrase-table")).not_to_contain_text("我的结束语")
    await page.get_by_role("tab", name="使用统计").click()
    stats = page.get_by_test_id("phrase-stats")
    await expect(stats).to_contain_text("E2E 新客问候")
    await expect(stats).to_contain_text("按中国标准时间计算日期")
    await tab.done()
