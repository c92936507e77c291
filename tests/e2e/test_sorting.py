"""Server-side sorting in Chromium: a click on a column header orders the whole customer list,
and the next page continues that order (not just the 20 rows on screen)."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab


def _api_pages(api: httpx.Client, sort: str, pages: int) -> list[list[str]]:
    out, cursor = [], None
    for _ in range(pages):
        body = api.get("/api/v1/customers", params={"sort": sort, "limit": 20, "cursor": cursor})
        out.append([c["external_userid"] for c in body.json()["items"]])
        cursor = body.json()["next_cursor"]
    return out


async def _shown(tab: Tab) -> list[str]:
    names = tab.page.get_by_test_id("customer-name")
    await expect(names).to_have_count(20)
    return [str(await n.get_attribute("data-external")) for n in await names.all()]


async def test_customer_list_sorted_across_pages(tab: Tab, live: Team, api: httpx.Client) -> None:
    total = api.get("/api/v1/customers/count").json()["count"]
    assert total > 40  # at least three pages
    oldest = _api_pages(api, "added_at", 2)
    newest = _api_pages(api, "-added_at", 1)
    assert oldest[0] != newest[0]

    await tab.login("admin")
    await tab.goto("/customers")
    assert await _shown(tab) == newest[0]  # newest first by default
    header = tab.page.locator("th", has_text="首次添加")
    await header.click()  # oldest first: the API orders every page
    await expect(header).to_have_attribute("aria-sort", "ascending")
    await expect(tab.page.get_by_test_id("customer-name").first).to_have_attribute(
        "data-external", oldest[0][0]
    )
    assert await _shown(tab) == oldest[0]
    await tab.page.get_by_role("button", name=re.compile("下一页")).click()
    await expect(tab.page.get_by_test_id("page-no")).to_have_text("第 2 页")
    await expect(tab.page.get_by_test_id("customer-name").first).to_have_attribute(
        "data-external", oldest[1][0]
    )
    assert await _shown(tab) == oldest[1]
    # another click: newest first again, back on page 1
    await header.click()
    await expect(header).to_have_attribute("aria-sort", "descending")
    await expect(tab.page.get_by_test_id("page-no")).to_have_text("第 1 页")
    await expect(tab.page.get_by_test_id("customer-name").first).to_have_attribute(
        "data-external", newest[0][0]
    )
    await tab.done()
