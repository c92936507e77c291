"""渠道活码 in Chromium: the create wizard (welcome attachments, time-of-day welcomes, the
auto-accept window), a sandbox customer scanning the code, its tags; batch import."""

from __future__ import annotations

import io
import re

import httpx
from openpyxl import Workbook
from playwright.async_api import Locator, expect

from tests.accounts.conftest import Team
from tests.conftest import Sandbox, wait_for
from tests.e2e.conftest import PIXEL, Tab

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _has_tag(api: httpx.Client, ext: str, tag_id: str) -> bool:
    r = api.get(f"/api/v1/customers/by-external/{ext}")
    return r.status_code == 200 and tag_id in {t["tag_id"] for t in r.json()["tags"]}


async def pick(tab: Tab, label: str, option: str) -> None:
    """Open the antd select labelled ``label`` in the open modal and choose ``option``."""
    modal = tab.page.locator(".ant-modal")
    field = modal.locator(".ant-form-item", has=tab.page.get_by_label(label)).first
    # the choice is in the field before the wizard moves on; a click during the dropdown's
    # opening animation can miss on a loaded machine, so a missed pick is tried again
    for attempt in range(3):
        await modal.get_by_label(label).click()
        dropdown = tab.page.locator(".ant-select-dropdown:visible")
        await dropdown.locator(".ant-select-item-option", has_text=option).first.click()
        await tab.page.keyboard.press("Escape")
        await expect(tab.page.locator(".ant-select-dropdown:visible")).to_have_count(0)
        if option in (await field.inner_text()) or attempt == 2:
            break
    await expect(field).to_contain_text(option)


async def test_create_channel_code_scan_and_tags(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    staff = next(
        e for e in api.get("/api/v1/employees").json()["items"] if e["userid"] == live.staff_userid
    )
    group = api.get("/api/v1/tags/groups").json()[0]
    tag = group["tags"][0]

    await tab.login("admin")
    await tab.page.get_by_role("menuitem", name=re.compile("渠道活码")).click()
    await expect(tab.page).to_have_url(re.compile(r"/channel-codes$"))
    await tab.page.get_by_test_id("new-channel").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_label("活码名称").fill("E2E 门店海报")
    await modal.get_by_label("分组").fill("线下门店")
    await pick(tab, "接待员工", staff["name"])
    await modal.get_by_role("button", name=re.compile("下一步")).click()
    # rotation: at most one add a day for this employee
    await modal.get_by_role("button", name=re.compile("添加接待规则")).click()
    rule = modal.get_by_test_id("staff-rule")
    await rule.locator(".ant-select").first.click()
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option", has_text=staff["name"]).first.click()
    await rule.get_by_placeholder("每日上限").fill("1")
    await modal.get_by_role("button", name=re.compile("下一步")).click()
    await pick(tab, "自动打标签", tag["name"])
    await modal.get_by_label("自动备注").fill("{nickname}-门店")
    await modal.get_by_role("button", name=re.compile("下一步")).click()
    await modal.get_by_label("欢迎语").fill("{nickname}您好，我是{employee}，欢迎来到{channel}")
    preview = tab.page.get_by_test_id("welcome-preview")
    await expect(preview).to_contain_text(f"小王您好，我是{staff['name']}，欢迎来到E2E 门店海报")
    await tab.page.get_by_test_id("wizard-submit").click()

    # the new code opens in the drawer: QR, state, on-duty status and stats
    drawer = tab.page.locator(".ant-drawer")
    await expect(drawer.get_by_test_id("channel-duty")).to_contain_text(staff["name"])
    state = (await drawer.get_by_test_id("channel-state").inner_text()).strip()
    code = next(
        c for c in api.get("/api/v1/acquisition/channels").json()["items"] if c["state"] == state
    )
    assert code["name"] == "E2E 门店海报" and code["tag_ids"] == [tag["tag_id"]]
    assert code["userids"] == [live.staff_userid] and code["welcome"]["text"].startswith(
        "{nickname}"
    )
    assert [(r["userid"], r["daily_cap"]) for r in code["staff"]] == [(live.staff_userid, 1)]
    qr = await tab.page.request.get(f"{tab.base}/api/v1/acquisition/channels/{code['id']}/qr.png")
    assert qr.status == 200 and qr.headers["content-type"] == "image/png"
    await drawer.locator(".ant-drawer-close").click()

    # a customer scans it; the code's tag is applied after the add
    scan = sb.act("scan", config_id=code["config_id"], name="扫码的陈一鸣")
    wait_for(
        lambda: _has_tag(api, scan["external_userid"], tag["tag_id"]), timeout=30, what="auto tag"
    )

    await tab.goto("/customers")
    await tab.page.get_by_placeholder("渠道参数").fill(state)
    await tab.page.get_by_role("button", name=re.compile("筛\\s*选")).click()
    row = tab.page.locator("tr", has_text="扫码的陈一鸣")
    await expect(row).to_be_visible()
    await expect(row).to_contain_text(tag["name"])

    # the code's stats count the add
    await tab.goto("/channel-codes")
    await tab.page.get_by_test_id("channel-name").filter(has_text="E2E 门店海报").click()
    stats = tab.page.get_by_test_id("channel-stats")
    await expect(stats.locator(".ant-statistic").first).to_contain_text("1")
    # the daily cap of one is reached: the rotation takes the employee off duty
    await expect(tab.page.get_by_test_id("channel-duty")).to_contain_text("已达每日上限 1 人")
    await tab.page.locator(".ant-drawer-close").click()

    # edit it: the wizard opens filled in; a new name is saved
    row = tab.page.locator("tr", has_text="E2E 门店海报")
    await row.get_by_text("编辑").click()
    await expect(modal.get_by_label("活码名称")).to_have_value("E2E 门店海报")
    await modal.get_by_label("活码名称").fill("E2E 门店海报 (二期)")
    for _ in range(3):
        await modal.get_by_role("button", name=re.compile("下一步")).click()
    await expect(modal.get_by_label("欢迎语")).to_have_value(code["welcome"]["text"])
    await tab.page.get_by_test_id("wizard-submit").click()
    await expect(tab.page.get_by_test_id("channel-name").first).to_have_text("E2E 门店海报 (二期)")
    edited = api.get(f"/api/v1/acquisition/channels/{code['id']}").json()
    assert edited["name"] == "E2E 门店海报 (二期)" and edited["state"] == state
    assert edited["tag_ids"] == [tag["tag_id"]]
    await tab.done()


async def _time_range(picker: Locator, start: str, end: str) -> None:
    """Type both ends of an antd time range picker (Enter confirms each)."""
    inputs = picker.locator("input")
    await inputs.first.click()
    await inputs.first.fill(start)
    await inputs.first.press("Enter")
    await inputs.nth(1).fill(end)
    await inputs.nth(1).press("Enter")


async def test_welcome_attachments_variants_and_accept_window(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    staff = next(
        e for e in api.get("/api/v1/employees").json()["items"] if e["userid"] == live.staff_userid
    )
    await tab.login("admin")
    await tab.goto("/channel-codes")
    await tab.page.get_by_test_id("new-channel").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_label("活码名称").fill("E2E 展会展位")
    await pick(tab, "接待员工", staff["name"])
    # requests are accepted automatically in office hours only
    await modal.get_by_test_id("wizard-accept").get_by_text("仅在时段内").click()
    await _time_range(modal.locator(".wizard-accept-time"), "09:00", "18:00")
    for _ in range(3):
        await modal.get_by_role("button", name=re.compile("下一步")).click()

    await modal.get_by_test_id("wizard-welcome").fill("{nickname}您好，展会资料请查收")
    # an image, uploaded to Siyu, and a link
    await modal.get_by_test_id("welcome-att-add").click()
    item = modal.get_by_test_id("welcome-att-item").first
    await item.locator("input[type=file]").set_input_files(
        files=[{"name": "展位图.png", "mimeType": "image/png", "buffer": PIXEL}]
    )
    await expect(item.get_by_test_id("welcome-att-upload-done")).to_contain_text("展位图.png")
    await modal.get_by_test_id("welcome-att-add").click()
    link = modal.get_by_test_id("welcome-att-item").nth(1)
    await link.get_by_test_id("welcome-att-type").click()
    dropdown = tab.page.locator(".ant-select-dropdown:visible")
    await dropdown.locator(".ant-select-item-option", has_text="链接").click()
    await link.get_by_test_id("welcome-att-link-title").fill("产品手册")
    await link.get_by_test_id("welcome-att-link-url").fill("https://example.com/manual")
    preview = tab.page.get_by_test_id("welcome-preview-attachment")
    await expect(preview).to_have_count(2)
    await expect(preview.nth(0)).to_contain_text("图片：展位图.png")
    await expect(preview.nth(1)).to_contain_text("链接：产品手册")

    # a night welcome that wraps midnight
    await modal.get_by_test_id("add-variant").click()
    variant = modal.get_by_test_id("welcome-variant").first
    await _time_range(variant.locator(".variant-time"), "22:00", "08:00")
    await variant.get_by_test_id("variant-text").fill("夜深了，明早九点为您服务")
    await tab.page.screenshot(path=f"test-artifacts/{tab.name}_welcome.png", full_page=True)
    await tab.page.get_by_test_id("wizard-submit").click()
    await expect(tab.page.locator(".ant-drawer").get_by_test_id("channel-state")).to_be_visible()

    code = next(
        c
        for c in api.get("/api/v1/acquisition/channels").json()["items"]
        if c["name"] == "E2E 展会展位"
    )
    assert code["accept_window"] == {"start": "09:00", "end": "18:00"}
    assert code["skip_verify"] is True
    image, link_att = code["welcome"]["attachments"]
    assert image["type"] == "image" and image["asset_id"] and image["title"] == "展位图.png"
    assert (link_att["type"], link_att["title"], link_att["url"]) == (
        "link",
        "产品手册",
        "https://example.com/manual",
    )
    (night,) = code["welcome_variants"]
    assert (night["start"], night["end"], night["text"]) == (
        "22:00",
        "08:00",
        "夜深了，明早九点为您服务",
    )
    # the contact way follows the window (on or off depending on the corp's time now)
    way = next(w for w in sb.get("/sandbox/contact_ways") if w["config_id"] == code["config_id"])
    assert way["skip_verify"] == code["applied_skip_verify"]

    # editing opens it filled in
    await tab.page.locator(".ant-drawer-close").click()
    await tab.page.locator("tr", has_text="E2E 展会展位").get_by_text("编辑").click()
    await expect(modal.get_by_test_id("wizard-accept").locator("input:checked")).to_have_value(
        "window"
    )
    for _ in range(3):
        await modal.get_by_role("button", name=re.compile("下一步")).click()
    await expect(modal.get_by_test_id("welcome-att-item")).to_have_count(2)
    await expect(modal.get_by_test_id("variant-text")).to_have_value("夜深了，明早九点为您服务")
    await expect(tab.page.get_by_test_id("welcome-preview-attachment").first).to_contain_text(
        "展位图.png"
    )
    await tab.page.get_by_test_id("wizard-submit").click()
    await expect(modal).to_have_count(0)
    again = api.get(f"/api/v1/acquisition/channels/{code['id']}").json()
    assert (
        again["welcome"] == code["welcome"]
        and again["welcome_variants"] == code["welcome_variants"]
    )
    await tab.done()


def _xlsx(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def test_batch_import_preview_then_create(
    tab: Tab, live: Team, sb: Sandbox, api: httpx.Client
) -> None:
    a, b = sb.get("/sandbox/employees")[:2]
    tag = api.get("/api/v1/tags/groups").json()[0]["tags"][0]
    header = ["渠道名称", "员工", "标签"]
    bad = _xlsx(
        [
            header,
            ["地推-南京西路", f"{a['name']},{b['name']}", tag["name"]],
            ["地推-静安寺", "查无此人", ""],
        ]
    )
    good = _xlsx(
        [
            header,
            ["地推-南京西路", f"{a['name']},{b['name']}", tag["name"]],
            ["地推-静安寺", a["name"], ""],
        ]
    )
    await tab.login("admin")
    await tab.goto("/channel-codes")
    await tab.page.get_by_test_id("batch-import").click()
    modal = tab.page.locator(".ant-modal")
    await modal.get_by_test_id("batch-group").fill("地推")
    upload = modal.locator("input[type=file]")
    await upload.set_input_files(files=[{"name": "地推.xlsx", "mimeType": XLSX, "buffer": bad}])
    await expect(modal.get_by_test_id("batch-summary")).to_contain_text("1 行有错误")
    rows = modal.get_by_test_id("batch-rows").locator("tbody tr.ant-table-row")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text(f"{a['name']}、{b['name']}")
    await expect(rows.nth(0)).to_contain_text(tag["name"])
    await expect(rows.nth(0)).to_contain_text("无误")
    await expect(rows.nth(1).get_by_test_id("batch-row-errors")).to_contain_text(
        "找不到员工「查无此人」"
    )
    await expect(modal.get_by_test_id("batch-create")).to_be_disabled()
    assert (
        api.get("/api/v1/acquisition/channels", params={"group_name": "地推"}).json()["items"] == []
    )

    # the fixed file: both rows fine, then created
    await upload.set_input_files(files=[{"name": "地推.xlsx", "mimeType": XLSX, "buffer": good}])
    await expect(modal.get_by_test_id("batch-summary")).to_contain_text("全部 2 行无误")
    await modal.get_by_test_id("batch-create").click()
    await expect(modal).to_have_count(0)
    await expect(
        tab.page.get_by_test_id("channel-name").filter(has_text="地推-静安寺")
    ).to_be_visible()
    made = api.get("/api/v1/acquisition/channels", params={"group_name": "地推"}).json()["items"]
    assert {c["name"] for c in made} == {"地推-南京西路", "地推-静安寺"}
    first = next(c for c in made if c["name"] == "地推-南京西路")
    assert first["userids"] == [a["userid"], b["userid"]] and first["tag_ids"] == [tag["tag_id"]]
    await tab.done()
