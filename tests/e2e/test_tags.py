"""企业标签 and 规则标签 in Chromium: drag to reorder tag groups and tags (written to WeCom, kept
after a reload); a rule tag built with the segment rule builder, evaluated, with its counts."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import Locator, expect

from tests.accounts.conftest import Team
from tests.conftest import wait_for
from tests.e2e.conftest import Tab
from tests.e2e.test_segments import _choose, _preview


def _group_names(api: httpx.Client) -> list[str]:
    groups = sorted(api.get("/api/v1/tags/groups").json(), key=lambda g: -g["order"])
    return [g["name"] for g in groups]


def _tag_names(api: httpx.Client, group_id: str) -> list[str]:
    g = next(g for g in api.get("/api/v1/tags/groups").json() if g["group_id"] == group_id)
    return [t["name"] for t in sorted(g["tags"], key=lambda t: -t["order"])]


async def _drag(tab: Tab, source: Locator, target: Locator, *, above: bool = True) -> None:
    """Drag with the mouse in small steps (dnd-kit starts after a few pixels of movement)."""
    s = await source.bounding_box()
    t = await target.bounding_box()
    assert s and t
    await tab.page.mouse.move(s["x"] + s["width"] / 2, s["y"] + s["height"] / 2)
    await tab.page.mouse.down()
    x = t["x"] + (t["width"] * 0.25 if not above else t["width"] / 2)
    y = t["y"] + (t["height"] * 0.25 if above else t["height"] / 2)
    await tab.page.mouse.move(x, y, steps=15)
    await tab.page.mouse.move(x, y - 2 if above else y, steps=3)
    await tab.page.mouse.up()


async def test_drag_to_reorder_groups_and_tags(tab: Tab, live: Team, api: httpx.Client) -> None:
    before = _group_names(api)
    assert len(before) >= 3
    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("企业标签")).click()
    names = tab.page.get_by_test_id("tag-group-name")
    await expect(names).to_have_text(before)

    # the last group's handle dragged onto the first row: it becomes the first group
    rows = tab.page.locator("[data-testid=tag-groups] tbody tr.ant-table-row")
    await _drag(tab, rows.last.get_by_test_id("drag-handle"), rows.first)
    expected = [before[-1], *before[:-1]]
    wait_for(lambda: _group_names(api) == expected, timeout=30, what="the new group order")
    await tab.page.reload()
    await expect(names).to_have_text(expected)

    # within the first group (in the new order) that has several tags, its last tag dragged
    # before its first tag
    groups = {g["name"]: g for g in api.get("/api/v1/tags/groups").json()}
    index = next(i for i, n in enumerate(expected) if len(groups[n]["tags"]) >= 2)
    group = groups[expected[index]]
    tags = _tag_names(api, group["group_id"])
    chips = rows.nth(index).get_by_test_id("tag-chip")
    await expect(chips).to_have_text(tags)
    await _drag(tab, chips.last, chips.first, above=False)
    moved = [tags[-1], *tags[:-1]]
    wait_for(lambda: _tag_names(api, group["group_id"]) == moved, timeout=30, what="tag order")
    await tab.page.reload()
    await expect(rows.nth(index).get_by_test_id("tag-chip")).to_have_text(moved)
    await tab.done()


async def test_rule_tag_built_evaluated_and_counted(
    tab: Tab, live: Team, api: httpx.Client
) -> None:
    staff = next(
        e for e in api.get("/api/v1/employees").json()["items"] if e["userid"] == live.staff_userid
    )
    by_staff: dict[str, Any] = {"type": "employee", "userids": [staff["userid"]]}
    rule = {"type": "and", "terms": [{"type": "and", "terms": [by_staff]}]}
    expected = _preview(api, rule)
    assert expected > 0
    tags = [t for g in api.get("/api/v1/tags/groups").json() for t in g["tags"]]

    def overlap(t: dict[str, Any]) -> int:
        has = {"type": "tags", "tag_ids": [t["tag_id"]]}
        return _preview(api, {"type": "and", "terms": [by_staff, has]})

    # the tag fewest of the employee's customers already have: the others need writes
    tag = min(tags, key=overlap)
    writes = expected - overlap(tag)
    assert writes > 0

    await tab.login("admin")
    await tab.goto("/tags?tab=rules")
    await expect(tab.page.locator(".ant-empty")).to_contain_text("还没有规则标签")
    await tab.page.get_by_test_id("new-rule-tag").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_test_id("rule-tag-name-input").fill("E2E 员工客户")
    await modal.get_by_test_id("rule-tag-tag").click()
    await tab.page.keyboard.type(tag["name"])  # many tags: search instead of scrolling
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option", has_text=tag["name"]).first.click()
    await modal.get_by_test_id("add-condition").first.click()
    await _choose(tab, modal.get_by_test_id("condition-kind").last, "跟进员工")
    await _choose(tab, modal.get_by_test_id("condition-values").last, staff["name"])
    preview = modal.get_by_test_id("rule-tag-preview").locator(".ant-statistic-content-value")
    await expect(preview).to_have_text(f"{expected:,}")
    await tab.page.get_by_test_id("rule-tag-submit").click()

    row = tab.page.locator("tr", has_text="E2E 员工客户")
    await expect(row.get_by_test_id("rule-tag-matched")).to_have_text(
        f"{expected:,}", timeout=60_000
    )
    await expect(row.get_by_test_id("rule-tag-pending")).to_have_text("0", timeout=60_000)
    # 已打标 counts customers, like 命中: every matched customer carries the tag now
    await expect(row.get_by_test_id("rule-tag-tagged")).to_have_text(f"{expected:,}")
    # the writes count relations (a customer may follow several employees)
    applied = int((await row.get_by_test_id("rule-tag-writes").inner_text()).split("/")[0])
    assert applied >= writes
    await expect(row).to_contain_text(tag["name"])
    saved = next(r for r in api.get("/api/v1/rule-tags").json() if r["name"] == "E2E 员工客户")
    assert saved["rule"] == rule and saved["tag_id"] == tag["tag_id"]
    assert overlap(tag) == expected  # every customer of the employee now has the tag

    # disable it: the switch writes through
    await row.get_by_test_id("rule-tag-active").click()
    wait_for(
        lambda: not api.get(f"/api/v1/rule-tags/{saved['id']}").json()["active"],
        timeout=20,
        what="the rule tag is disabled",
    )
    await tab.done()
