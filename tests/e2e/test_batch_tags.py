"""批量打标签 on the customer list in Chromium: two selected customers get a tag (on every one of
their relations, in Siyu and in WeCom); a job over every matching customer, slowed down by the
sandbox, is cancelled from its progress view and leaves the untouched relations without the tag."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Locator, expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox
from tests.e2e.conftest import Tab


def _new_tag(api: httpx.Client, name: str) -> str:
    """A tag no customer carries yet (its own group, written to WeCom)."""
    r = api.post("/api/v1/tags/groups", json={"name": f"E2E {name}", "tags": [name]})
    assert r.status_code == 201, r.text
    return str(r.json()["tags"][0]["tag_id"])


async def _pick_tag(tab: Tab, select: Locator, name: str) -> None:
    """Search the tag (many tags: the list is virtual) and pick it from the open dropdown
    (with Enter: a click right after the list was filtered is sometimes lost)."""
    await select.click()
    await tab.page.keyboard.type(name)
    options = tab.page.locator(".ant-select-dropdown:visible .ant-select-item-option")
    await expect(options).to_have_count(1)  # the search applied: the list stops changing
    await expect(options.filter(has_text=name)).to_have_count(1)
    await tab.page.keyboard.press("Enter")  # the open dropdown's only (active) option
    await expect(select.locator(".ant-select-selection-item", has_text=name)).to_have_count(1)
    await tab.page.keyboard.press("Escape")
    await expect(tab.page.locator(".ant-select-dropdown:visible")).to_have_count(0)


def _customers(api: httpx.Client) -> list[dict[str, Any]]:
    r = api.get("/api/v1/customers", params={"limit": 500})
    assert r.status_code == 200, r.text
    assert r.json()["next_cursor"] is None
    return list(r.json()["items"])


def _relations(api: httpx.Client) -> dict[tuple[int, str], set[str]]:
    """(customer id, employee) -> tag ids of every live follow relation, as Siyu mirrors it."""
    out: dict[tuple[int, str], set[str]] = {}
    for c in _customers(api):
        detail = api.get(f"/api/v1/customers/{c['id']}").json()
        for rel in detail["relations"]:
            if rel["deleted_at"] is None:
                out[(c["id"], rel["userid"])] = {t["tag_id"] for t in rel["tags"]}
    return out


def _sandbox_tagged(sb: Sandbox, api: httpx.Client, tag_id: str) -> set[tuple[int, str]]:
    """The relations carrying the tag in WeCom (the sandbox's own record)."""
    out: set[tuple[int, str]] = set()
    for c in _customers(api):
        for f in sb.get(f"/sandbox/customers/{c['external_userid']}")["follows"]:
            if tag_id in {t["tag_id"] for t in f.get("tags", [])}:
                out.add((c["id"], f["userid"]))
    return out


def _job(api: httpx.Client, job_id: str | None) -> dict[str, Any]:
    assert job_id
    r = api.get(f"/api/v1/tags/batch/{job_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_batch_tag_two_selected_customers(
    tab: Tab, live: Team, api: httpx.Client, sb: Sandbox
) -> None:
    tag = _new_tag(api, "批量甲")
    await tab.login("admin")
    await tab.goto("/customers")
    rows = tab.page.locator("tr.ant-table-row")
    await expect(rows).to_have_count(20)
    await expect(tab.page.get_by_test_id("batch-tag")).to_be_disabled()
    chosen = []
    for i in (1, 3):
        chosen.append(int(await rows.nth(i).get_attribute("data-row-key") or 0))
        await rows.nth(i).locator(".ant-checkbox-input").check()
    await expect(tab.page.get_by_test_id("selection-count")).to_have_text("已选择 2 位客户")
    await expect(tab.page.get_by_test_id("customer-drawer")).to_have_count(0)

    await tab.page.get_by_test_id("batch-tag").click()
    modal = tab.page.locator(".ant-modal:visible")
    await _pick_tag(tab, modal.get_by_test_id("batch-add-tags"), "批量甲")
    await expect(modal.get_by_test_id("batch-summary")).to_contain_text("已选的 2 位客户")
    submit = modal.get_by_test_id("batch-submit")
    await expect(submit).to_have_text("确定修改 2 位客户")
    await submit.click()

    status = modal.get_by_test_id("batch-status")
    await expect(status).to_have_attribute("data-status", "done", timeout=60_000)
    await expect(status).to_have_text("已完成")
    job = _job(api, await modal.get_by_test_id("batch-job").get_attribute("data-job-id"))
    assert job["status"] == "done" and job["failed"] == 0 and job["cancelled"] == 0
    assert job["add_tag_ids"] == [tag] and job["done"] == job["total"]

    # exactly the two customers' relations carry the tag, every one of them, in Siyu and WeCom
    relations = _relations(api)
    theirs = {key for key in relations if key[0] in chosen}
    assert job["total"] == len(theirs) >= 2
    assert {key for key, tags in relations.items() if tag in tags} == theirs
    assert _sandbox_tagged(sb, api, tag) == theirs
    await expect(modal.get_by_test_id("batch-done")).to_have_text(str(len(theirs)))
    await expect(modal.get_by_test_id("batch-progress")).to_have_attribute("aria-valuenow", "100")

    # the list was refreshed: the tag shows on those two rows only, the selection is cleared
    await modal.get_by_test_id("batch-close").click()
    await expect(tab.page.locator(".ant-modal:visible")).to_have_count(0)
    tagged = tab.page.locator(
        "tr.ant-table-row", has=tab.page.locator(".ant-tag", has_text="批量甲")
    )
    await expect(tagged).to_have_count(2)
    assert {int(await tagged.nth(i).get_attribute("data-row-key") or 0) for i in (0, 1)} == set(
        chosen
    )
    await expect(tab.page.get_by_test_id("selection-bar")).to_have_count(0)
    await tab.done()


async def test_cancel_batch_tag_of_all_matching_customers(
    tab: Tab, live: Team, api: httpx.Client, sb: Sandbox
) -> None:
    tag = _new_tag(api, "批量乙")
    everyone = int(api.get("/api/v1/customers/count").json()["count"])
    before = _relations(api)
    assert len(before) > 40  # more than two chunks of 20 writes: some are left to cancel
    await tab.login("admin")
    await tab.goto("/customers")
    rows = tab.page.locator("tr.ant-table-row")
    await expect(rows).to_have_count(20)
    await rows.first.locator(".ant-checkbox-input").check()
    await tab.page.get_by_test_id("select-all-matching").click()
    await expect(tab.page.get_by_test_id("selection-count")).to_have_text(
        f"已选择符合当前筛选条件的全部 {everyone} 位客户"
    )
    await tab.page.get_by_test_id("batch-tag").click()
    modal = tab.page.locator(".ant-modal:visible")
    await _pick_tag(tab, modal.get_by_test_id("batch-add-tags"), "批量乙")
    await expect(modal.get_by_test_id("batch-summary")).to_contain_text(
        f"符合当前筛选条件的全部 {everyone} 位客户"
    )

    sb.put("/sandbox/faults", {"latency_ms": 300})  # every WeCom call slow: the job takes a while
    try:
        await modal.get_by_test_id("batch-submit").click()
        status = modal.get_by_test_id("batch-status")
        await expect(status).to_have_attribute("data-status", "running", timeout=60_000)
        await modal.get_by_test_id("batch-cancel").click()
        # the writes in flight are settled first
        await expect(status).to_have_text("取消中")
        await expect(modal.get_by_test_id("batch-cancel")).to_be_disabled()
        await expect(status).to_have_attribute("data-status", "cancelled", timeout=120_000)
    finally:
        sb.put("/sandbox/faults", {"latency_ms": 0})
    await expect(status).to_have_text("已取消")
    await expect(modal.get_by_test_id("batch-cancel")).to_have_count(0)

    job = _job(api, await modal.get_by_test_id("batch-job").get_attribute("data-job-id"))
    assert job["status"] == "cancelled" and job["cancelled"] > 0 and job["failed"] == 0
    assert job["total"] == len(before)  # every live relation of every matching customer
    assert job["done"] + job["cancelled"] == job["total"]
    await expect(modal.get_by_test_id("batch-cancelled")).to_have_text(str(job["cancelled"]))
    await expect(modal.get_by_test_id("batch-done")).to_have_text(str(job["done"]))

    # only the relations counted done carry the tag; the cancelled ones were never written
    after = _relations(api)
    tagged = {key for key, tags in after.items() if tag in tags}
    assert len(tagged) == job["done"]
    assert _sandbox_tagged(sb, api, tag) == tagged
    untouched = set(after) - tagged
    assert len(untouched) == job["cancelled"]
    assert all(after[key] == before[key] for key in untouched)
    await tab.done()
