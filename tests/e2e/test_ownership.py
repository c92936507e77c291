"""流失与撞单 in Chromium: the collision lock switch, a collision and its reassignment with the
owner history, the loss list in both directions with filters and its export, loss alerts."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
from openpyxl import load_workbook
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import Tab


def _losses(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    return list(api.get("/api/v1/acquisition/losses", params=params).json()["items"])


async def test_collision_lock_reassign_and_losses(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    a, b = sb.get("/sandbox/employees")[:2]
    ext = sb.act("add_customer", userid=a["userid"], name="林小雨")["external_userid"]
    other = sb.act("add_customer", userid=b["userid"], name="周明")["external_userid"]
    wait_for(
        lambda: api.get("/api/v1/customers", params={"keyword": "林小雨"}).json()["items"],
        what="the customer mirrored",
    )

    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("流失与撞单")).click()
    await expect(tab.page).to_have_url(re.compile(r"/ownership$"))
    await tab.page.get_by_role("tab", name="撞单记录").click()
    await expect(tab.page.get_by_test_id("collision-lock-off")).to_be_visible()
    await tab.page.get_by_role("tab", name="设置").click()
    await tab.page.get_by_test_id("setting-collision-lock").click()
    await expect(tab.page.get_by_test_id("setting-collision-lock")).to_be_checked()
    assert api.get("/api/v1/acquisition/settings").json()["collision_lock"] is True

    # the customer, owned by a, adds b: a collision; a stays the owner
    sb.act("add_customer", userid=b["userid"], external_userid=ext)
    wait_for(
        lambda: api.get("/api/v1/acquisition/collisions").json()["items"], what="the collision"
    )
    await tab.page.get_by_role("tab", name="撞单记录").click()
    row = tab.page.get_by_test_id("collision-table").locator("tr", has_text="林小雨")
    await expect(row).to_contain_text(a["name"])
    await expect(row).to_contain_text(b["name"])
    await expect(row.get_by_test_id("collision-owner-now")).to_have_text(a["name"])

    # reassign to b (preselected: the employee the customer also added), with a reason
    await row.get_by_test_id("collision-reassign").click()
    modal = tab.page.locator(".ant-modal")
    await expect(modal.get_by_test_id("owner-current")).to_contain_text(a["name"])
    await expect(modal.get_by_test_id("owner-select")).to_contain_text(b["name"])
    await modal.get_by_test_id("owner-reason").fill("门店跟进更合适")
    await modal.get_by_test_id("owner-save").click()
    await expect(row.get_by_test_id("collision-owner-now")).to_have_text(b["name"])
    await row.get_by_test_id("collision-reassign").click()
    history = tab.page.locator(".ant-modal").get_by_test_id("owner-history")
    await expect(history).to_contain_text(f"{a['name']} → {b['name']}")
    await expect(history).to_contain_text("门店跟进更合适")
    await expect(history).to_contain_text("admin")
    await tab.page.locator(".ant-modal").get_by_role("button", name="关闭").click()

    # losses, both directions
    sb.act("customer_delete", userid=a["userid"], external_userid=ext)
    sb.act("employee_delete", userid=b["userid"], external_userid=other)
    wait_for(lambda: len(_losses(api)) == 2, what="two losses")
    await tab.page.get_by_role("tab", name="流失客户").click()
    table = tab.page.get_by_test_id("loss-table")
    await expect(table.locator("tbody tr.ant-table-row")).to_have_count(2)
    await expect(table).to_contain_text("客户删除员工")
    await expect(table).to_contain_text("员工删除客户")
    await tab.page.screenshot(path=f"test-artifacts/{tab.name}_losses.png", full_page=True)
    direction = tab.page.get_by_test_id("loss-direction")
    await expect(direction).to_contain_text("客户删除员工 1")
    await direction.get_by_text("客户删除员工").click()
    await expect(table.locator("tbody tr.ant-table-row")).to_have_count(1)
    await expect(table.locator("tbody tr.ant-table-row")).to_contain_text("林小雨")
    await expect(table.locator("tbody tr.ant-table-row")).to_contain_text(a["name"])
    await expect(table).not_to_contain_text("wm")  # names, not external ids

    # the export follows the filters: the customer-side loss only, times on the corp's clock
    async with tab.page.expect_download() as info:
        await tab.page.get_by_test_id("loss-export").click()
    download = await info.value
    path = await download.path()
    with open(path, "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "流失时间 (Asia/Shanghai)" in rows[0]
    assert [r[:3] for r in rows[1:]] == [("林小雨", a["name"], "客户删除员工")]

    # the employee filter, then the customer's profile shows its owner
    await direction.get_by_text("全部").click()
    await tab.page.get_by_test_id("loss-keyword").fill("周明")
    await tab.page.get_by_role("button", name=re.compile("筛\\s*选")).click()
    await expect(table.locator("tbody tr.ant-table-row")).to_have_count(1)
    await expect(table).to_contain_text("员工删除客户")
    await tab.page.get_by_role("button", name=re.compile("重\\s*置")).click()
    await expect(table.locator("tbody tr.ant-table-row")).to_have_count(2)
    await table.locator("tr", has_text="林小雨").get_by_test_id("loss-customer").click()
    await expect(tab.page.get_by_test_id("customer-owner")).to_have_text(b["name"])
    await tab.page.locator(".ant-drawer-close").click()

    # loss alerts can be switched off
    await tab.page.get_by_role("tab", name="设置").click()
    await tab.page.get_by_test_id("setting-loss-alerts").click()
    await expect(tab.page.get_by_test_id("setting-loss-alerts")).not_to_be_checked()
    assert api.get("/api/v1/acquisition/settings").json()["loss_alerts"] is False
    await tab.done()
