"""Dates in the console are the corp's calendar days, whatever the browser's time zone."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.accounts.conftest import Team, sign_in
from tests.conftest import Sandbox, Siyu, wait_for
from tests.e2e.conftest import Tab


@pytest.fixture
def browser_tz() -> str:
    """The browser is 12 hours behind UTC; the corp below is 14 hours ahead."""
    return "Etc/GMT+12"


async def test_stats_count_the_corps_days_wherever_the_browser_is(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client, siyu: Siyu, browser_tz: str | None
) -> None:
    # the corp is 26 hours ahead of the browser: its today is never the browser's today
    admin = sign_in(siyu, "admin")
    try:
        r = admin.put("/api/v1/settings/wecom", json={"timezone": "Etc/GMT-14"})
        assert r.status_code == 200, r.text
    finally:
        admin.close()
    r = api.post(
        "/api/v1/acquisition/channels",
        json={"name": "远方的海报", "userids": [live.staff_userid]},
    )
    assert r.status_code == 201, r.text
    code = r.json()
    sb.act("scan", config_id=code["config_id"], name="远方的客户")
    wait_for(
        lambda: (
            api.get("/api/v1/acquisition/stats", params={"channel_id": code["id"]}).json()[
                "totals"
            ]["adds"]
            == 1
        ),
        timeout=30,
        what="the add in the stats",
    )

    await tab.login("admin")
    await tab.goto("/channel-codes")
    # the overview of the last 30 days counts it
    overview = tab.page.locator(".ant-card", has_text="近 30 天渠道数据")
    await expect(overview.locator(".ant-statistic").first).to_have_text(
        re.compile(r"^新增客户\s*1$")
    )
    # and so does the code's drawer, whose date range ends on the corp's today
    await tab.page.get_by_test_id("channel-name").filter(has_text="远方的海报").click()
    stats = tab.page.get_by_test_id("channel-stats")
    await expect(stats.locator(".ant-statistic").first).to_have_text(re.compile(r"^新增\s*1$"))
    await tab.done()
