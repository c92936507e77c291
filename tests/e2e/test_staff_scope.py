"""A staff member in Chromium (issue 13 §6): the channel-code, segment and broadcast pages work
within their data scope — menus shown, no refused request, HQ-only actions hidden."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab


def _code(api: httpx.Client, name: str, userids: list[str]) -> dict[str, object]:
    r = api.post("/api/v1/acquisition/channels", json={"name": name, "userids": userids})
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_staff_uses_channel_codes_and_segments(
    tab: Tab, live: Team, api: httpx.Client
) -> None:
    me = live.staff_userid
    outsider = next(
        e["userid"]
        for e in api.get("/api/v1/employees", params={"limit": 500}).json()["items"]
        if e["userid"] != me and e["userid"] not in live.manager_scope
    )
    _code(api, "E2E 我的门店码", [me])
    _code(api, "E2E 外区海报", [outsider])
    _code(api, "E2E 联合活码", [me, outsider])
    seg = api.post(
        "/api/v1/segments",
        json={"name": "E2E 全部客户", "rule": {"type": "gender", "values": [0, 1, 2]}},
    )
    assert seg.status_code == 201, seg.text

    await tab.login("staff")
    # 渠道活码: the codes that route to them; the shared one is read-only, no batch import
    await tab.page.get_by_role("menuitem", name=re.compile("渠道活码")).click()
    names = tab.page.get_by_test_id("channel-name")
    await expect(names).to_have_count(2)
    await expect(names).to_contain_text(["E2E 我的门店码", "E2E 联合活码"])
    await expect(tab.page.get_by_test_id("batch-import")).to_have_count(0)
    own = tab.page.locator("tr", has_text="E2E 我的门店码")
    shared = tab.page.locator("tr", has_text="E2E 联合活码")
    await expect(own.get_by_text("编辑", exact=True)).to_be_visible()
    await expect(shared.get_by_text("编辑", exact=True)).to_have_count(0)
    qr = await own.get_by_text("二维码", exact=True).get_attribute("href")
    assert qr is not None
    png = await tab.page.request.get(tab.base + qr)
    assert png.status == 200 and (await png.body()).startswith(b"\x89PNG")
    await own.get_by_test_id("channel-name").click()
    await expect(tab.page.get_by_test_id("channel-duty")).to_be_visible()
    await tab.page.keyboard.press("Escape")

    # 客户分群: their share of a segment, no saving or deleting
    mine = api.get("/api/v1/customers/count", params={"userid": me}).json()["count"]
    await tab.page.get_by_role("menuitem", name=re.compile("客户分群")).click()
    await expect(tab.page.get_by_test_id("segment-scope-note")).to_be_visible()
    await expect(tab.page.get_by_test_id("segment-save")).to_have_count(0)
    row = tab.page.locator("tr", has_text="E2E 全部客户")
    await expect(row.get_by_test_id(f"segment-members-{seg.json()['id']}")).to_have_text(str(mine))
    await expect(row.get_by_text("删除", exact=True)).to_have_count(0)
    await row.get_by_test_id("segment-members-open").click()
    members = tab.page.locator("[data-testid=segment-member-table] tbody tr.ant-table-row")
    await expect(members).to_have_count(min(mine, 20))
    await tab.page.keyboard.press("Escape")

    # 群发: the preview counts their own customers, sent by them
    await tab.page.get_by_role("menuitem", name=re.compile("群发")).click()
    await tab.page.get_by_test_id("new-broadcast").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_label("任务名称").fill("E2E 我的会员日")
    await modal.get_by_label("消息内容").fill("本周六会员日，到店有礼")
    total = tab.page.get_by_test_id("preview-total").locator(".ant-statistic-content-value")
    await expect(total).to_have_text(f"{mine:,}")
    await tab.done()
