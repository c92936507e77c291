"""客户分群 in Chromium: the rule builder's live count follows the conditions; saving lists it."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
from openpyxl import load_workbook
from playwright.async_api import expect

from tests.accounts.conftest import Team
from tests.e2e.conftest import Tab


def _preview(api: httpx.Client, rule: dict[str, Any]) -> int:
    r = api.post("/api/v1/segments/preview", json={"rule": rule})
    assert r.status_code == 200, r.text
    return int(r.json()["count"])


async def _choose(tab: Tab, select: Any, option: str) -> None:
    await select.click()
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option", has_text=option).first.click()
    await tab.page.keyboard.press("Escape")
    await expect(tab.page.locator(".ant-select-dropdown:visible")).to_have_count(0)


async def test_rule_builder_live_count_and_save(tab: Tab, live: Team, api: httpx.Client) -> None:
    tags = [t for g in api.get("/api/v1/tags/groups").json() for t in g["tags"]]
    everyone = _preview(api, {"type": "deleted", "value": False})
    # a tag that selects some customers but not all of them
    tag = next(
        t
        for t in tags
        if 0 < _preview(api, {"type": "tags", "match": "any", "tag_ids": [t["tag_id"]]}) < everyone
    )
    with_tag = {"type": "tags", "match": "any", "tag_ids": [tag["tag_id"]]}
    tagged = _preview(api, {"type": "and", "terms": [{"type": "and", "terms": [with_tag]}]})
    staff = next(
        e for e in api.get("/api/v1/employees").json()["items"] if e["userid"] == live.staff_userid
    )
    both = _preview(
        api,
        {
            "type": "and",
            "terms": [
                {
                    "type": "and",
                    "terms": [with_tag, {"type": "employee", "userids": [staff["userid"]]}],
                }
            ],
        },
    )

    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("客户分群")).click()
    count = tab.page.get_by_test_id("segment-count").locator(".ant-statistic-content-value")
    await expect(count).to_have_text(f"{everyone:,}")

    await tab.page.get_by_test_id("add-condition").first.click()
    await _choose(tab, tab.page.get_by_test_id("condition-values").last, tag["name"])
    await expect(count).to_have_text(f"{tagged:,}")

    await tab.page.get_by_test_id("add-condition").first.click()
    await _choose(tab, tab.page.get_by_test_id("condition-kind").last, "跟进员工")
    await _choose(tab, tab.page.get_by_test_id("condition-values").last, staff["name"])
    await expect(count).to_have_text(f"{both:,}")

    await tab.page.get_by_test_id("segment-name").fill("E2E 高意向客户")
    await tab.page.get_by_test_id("segment-save").click()
    row = tab.page.locator("tr", has_text="E2E 高意向客户")
    await expect(row).to_be_visible()
    saved = next(s for s in api.get("/api/v1/segments").json() if s["name"] == "E2E 高意向客户")
    await expect(row.get_by_test_id(f"segment-members-{saved['id']}")).to_have_text(str(both))
    assert api.get(f"/api/v1/segments/{saved['id']}/count").json()["count"] == both
    await row.get_by_test_id("segment-members-open").click()
    members = tab.page.locator("[data-testid=segment-member-table] tbody tr.ant-table-row")
    await expect(members).to_have_count(min(both, 20))
    if both:
        await expect(members.first).to_contain_text(tag["name"])
    await tab.done()


async def test_preview_members_of_an_unsaved_rule(tab: Tab, live: Team, api: httpx.Client) -> None:
    staff = next(
        e for e in api.get("/api/v1/employees").json()["items"] if e["userid"] == live.staff_userid
    )
    rule = {
        "type": "and",
        "terms": [{"type": "and", "terms": [{"type": "employee", "userids": [staff["userid"]]}]}],
    }
    probe = api.post("/api/v1/segments/preview/members", json={"rule": rule, "limit": 500})
    assert probe.status_code == 200, probe.text
    expected = [c["external_userid"] for c in probe.json()["items"]]
    assert expected and len(expected) == _preview(api, rule)

    await tab.login("admin")
    await tab.goto("/segments")
    await tab.page.get_by_test_id("add-condition").first.click()
    await _choose(tab, tab.page.get_by_test_id("condition-kind").last, "跟进员工")
    await _choose(tab, tab.page.get_by_test_id("condition-values").last, staff["name"])
    count = tab.page.get_by_test_id("segment-count").locator(".ant-statistic-content-value")
    await expect(count).to_have_text(f"{len(expected):,}")
    await tab.page.get_by_test_id("segment-preview-members").click()
    drawer = tab.page.locator(".ant-drawer")
    await expect(drawer).to_contain_text(f"未保存，{len(expected)} 人")
    rows = drawer.locator("[data-testid=segment-member-table] tbody tr.ant-table-row")
    await expect(rows).to_have_count(min(len(expected), 20))
    first = probe.json()["items"][0]
    await expect(rows.first).to_contain_text(first["name"] or first["external_userid"])
    async with tab.page.expect_download() as info:
        await drawer.get_by_test_id("segment-preview-export").click()
    download = await info.value
    path = await download.path()
    assert path is not None
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet is not None and sheet.max_row == len(expected) + 1  # header + one row each
    assert api.get("/api/v1/segments").json() == []  # nothing was saved
    await tab.done()


async def test_stage_condition_counts_customers_at_a_stage(
    tab: Tab, live: Team, api: httpx.Client
) -> None:
    stage = next(s for s in api.get("/api/v1/customer-stages").json() if s["kind"] == "won")
    for c in api.get("/api/v1/customers", params={"limit": 3}).json()["items"]:
        r = api.put(f"/api/v1/customers/{c['id']}/stage", json={"stage_id": stage["id"]})
        assert r.status_code == 200, r.text
    at_stage = _preview(
        api,
        {
            "type": "and",
            "terms": [{"type": "and", "terms": [{"type": "stage", "stage_ids": [stage["id"]]}]}],
        },
    )
    assert at_stage >= 3

    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("客户分群")).click()
    count = tab.page.get_by_test_id("segment-count").locator(".ant-statistic-content-value")
    await tab.page.get_by_test_id("add-condition").first.click()
    await _choose(tab, tab.page.get_by_test_id("condition-kind").last, "客户阶段")
    await _choose(tab, tab.page.get_by_test_id("condition-values").last, stage["name"])
    await expect(count).to_have_text(f"{at_stage:,}")
    await tab.done()
