"""素材库 in Chromium: a folder and a link item, a radar link, a customer opens it (through the
sandbox's WeChat OAuth page in a second tab), the open shows in the item's statistics."""

from __future__ import annotations

import asyncio
import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox
from tests.e2e.conftest import Tab


async def test_folder_item_radar_link_and_open(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    page = tab.page
    await tab.login("admin")
    await page.get_by_role("menuitem", name=re.compile("素材库")).click()
    await expect(page).to_have_url(re.compile(r"/content$"))
    await expect(page.get_by_text("还没有素材")).to_be_visible()

    # a folder, selected, then a link item created inside it
    await page.get_by_test_id("folder-new").click()
    await page.get_by_test_id("folder-name").fill("产品手册")
    await page.get_by_test_id("folder-save").click()
    tree = page.get_by_test_id("folder-tree")
    await tree.get_by_text("产品手册 (0)").click()
    await page.get_by_test_id("content-new").click()
    drawer = page.locator(".ant-drawer")
    await drawer.get_by_test_id("content-title").fill("旗舰新品发布会")
    await drawer.get_by_test_id("content-url").fill("https://example.com/launch")
    await drawer.get_by_label("标签").fill("新品")
    await page.keyboard.press("Enter")
    await page.get_by_test_id("content-save").click()
    row = page.locator("tr.ant-table-row", has_text="旗舰新品发布会")
    await expect(row).to_contain_text("产品手册")
    await expect(row).to_contain_text("新品")
    await expect(tree.get_by_text("产品手册 (1)")).to_be_visible()
    items = api.get("/api/v1/content", params={"keyword": "旗舰"}).json()["items"]
    assert [(i["title"], i["folder"], i["tags"]) for i in items] == [
        ("旗舰新品发布会", "产品手册", ["新品"])
    ]

    await page.screenshot(path=f"test-artifacts/{tab.name}_list.png", full_page=True)

    # its statistics: no opens yet; make a radar link for an employee (no customer)
    await row.get_by_test_id("content-title-cell").click()
    stats = page.locator(".ant-drawer", has_text="生成雷达链接")
    await expect(stats.get_by_test_id("stat-opens")).to_contain_text("0")
    await stats.get_by_test_id("radar-employee").click()
    dropdown = page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option").first.click()
    await stats.get_by_test_id("radar-make").click()
    url_box = stats.get_by_test_id("radar-url")
    await expect(url_box).to_have_value(re.compile(r"/r/[\w-]+\.[\w-]+$"))
    url = await url_box.input_value()
    path = url[url.index("/r/") :]

    # a customer opens it in WeChat: the sandbox's OAuth page, they pick themselves
    reader = await page.context.new_page()
    reader.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    await reader.goto(tab.base + path)
    await expect(reader.get_by_text("以微信用户身份打开")).to_be_visible()
    pick = reader.locator('a[data-external-userid]:not([data-external-userid=""])').first
    external_userid = await pick.get_attribute("data-external-userid")
    await pick.click()
    await reader.wait_for_url(re.compile(r"^https://example\.com/launch"))
    await reader.close()

    # the open, with the identified customer, appears in the item's statistics
    opened = api.get(f"/api/v1/content/{items[0]['id']}/stats").json()["recent"]
    assert len(opened) == 1 and opened[0]["customer_id"]
    customer = api.get(f"/api/v1/customers/{opened[0]['customer_id']}").json()
    assert customer["external_userid"] == external_userid
    await stats.get_by_test_id("stats-reload").click()
    await expect(stats.get_by_test_id("stat-opens")).to_contain_text("1")
    await expect(stats.get_by_test_id("open-customer")).to_have_text(customer["name"])
    await expect(stats.locator("tbody tr.ant-table-row").first).to_contain_text("授权识别")

    # the link is revoked from the open's row: the row says so, the link shows a Chinese 410
    await stats.get_by_test_id("open-revoke").click()
    await page.locator(".ant-popconfirm").get_by_role("button", name=re.compile("确")).click()
    await expect(stats.get_by_test_id("open-link-revoked")).to_have_text("已撤销")
    gone = await page.context.new_page()
    answer = await gone.goto(tab.base + path)
    assert answer is not None and answer.status == 410
    await expect(gone.get_by_role("heading", name="内容已失效")).to_be_visible()
    await gone.close()
    await tab.done()


async def test_article_page_reports_read_time(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    item = api.post(
        "/api/v1/content",
        json={"kind": "article", "title": "冬季护肤指南", "body": "## 第一步\n\n**补水**最重要。"},
    ).json()
    customer = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    detail = api.get(f"/api/v1/customers/{customer['id']}").json()
    link = api.post(
        f"/api/v1/content/{item['id']}/radar-links",
        json={"userid": detail["relations"][0]["userid"], "customer_id": customer["id"]},
    ).json()["url"]
    path = link[link.index("/r/") :]

    # the customer reads the hosted article; its beacon reports the visible seconds
    await tab.goto(path)
    await expect(tab.page.get_by_role("heading", name="冬季护肤指南")).to_be_visible()
    await expect(tab.page.locator("strong", has_text="补水")).to_be_visible()

    def read() -> int:
        stats = api.get(f"/api/v1/content/{item['id']}/stats").json()
        return int(stats["read_seconds_total"])

    for _ in range(600):  # the page beats every 5 s while visible
        if read() > 0:
            break
        await asyncio.sleep(0.1)
    await tab.page.screenshot(path=f"test-artifacts/{tab.name}_article.png", full_page=True)
    seconds = read()
    timeline = api.get(f"/api/v1/customers/{customer['id']}").json()["timeline"]
    opened = [t for t in timeline if t["kind"] == "radar_opened"]
    assert opened and opened[0]["data"]["read_seconds"] >= 1 and seconds >= 1
    await tab.done()
