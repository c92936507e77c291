"""The mobile workbench's API (/m): GET /frontline/today (SOP steps due today, open tasks with
the share that completes them), GET /frontline/attention (newest customer activity first, with
the reason) and POST /frontline/tasks/{id}/shared (only WeCom's ``:ok`` completes a part)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from siyu.accounts import service as accounts
from siyu.corps.models import Corp
from siyu.customers import timeline
from siyu.customers.models import Customer, FollowRelation
from siyu.db.session import Database
from siyu.employees.models import Employee
from tests.accounts.conftest import PASSWORD, Team
from tests.conftest import Sandbox, Siyu, wait_for
from tests.frontline.conftest import employees, task_body


def _started(admin: httpx.Client, body: dict[str, object]) -> int:
    created = admin.post("/api/v1/tasks", json=body)
    assert created.status_code == 201, created.text
    tid = int(created.json()["id"])
    assert admin.post(f"/api/v1/tasks/{tid}/start").json()["status"] == "running"
    return tid


async def _only_mine(db: Database, userid: str) -> list[tuple[int, str]]:
    """(id, external_userid) of live customers the employee follows, oldest first."""
    async with db.unit_of_work() as s:
        rows = await s.execute(
            select(Customer.id, Customer.external_userid)
            .join(FollowRelation, FollowRelation.customer_id == Customer.id)
            .where(FollowRelation.userid == userid, FollowRelation.deleted_at.is_(None))
            .order_by(Customer.id)
        )
        return [(int(i), str(e)) for i, e in rows.all()]


async def _record(db: Database, rows: list[dict[str, Any]]) -> None:
    async with db.unit_of_work() as s:
        await timeline.record(s, rows)


async def test_today_lists_sop_steps_due_and_open_tasks_with_their_share(
    as_role: dict[str, httpx.Client], team: Team, db: Database
) -> None:
    admin, staff = as_role["admin"], as_role["staff"]
    me = team.staff_userid
    item = admin.post(
        "/api/v1/content",
        json={"kind": "link", "title": "会员日活动", "url": "https://example.com/vip-day"},
    ).json()
    send = _started(admin, task_body("会员日群发", [me], content_ids=[item["id"]]))
    todo = _started(admin, task_body("回访老客户", [me], kind="todo", text="电话回访"))
    done = _started(admin, task_body("已完成的待办", [me], kind="todo", text="整理名片"))
    assert staff.post(f"/api/v1/tasks/{done}/done", json={"done": True}).status_code == 200

    # an SOP whose first step is due at once, started for one of the employee's customers
    stages = {x["name"]: x["id"] for x in admin.get("/api/v1/customer-stages").json()}
    tpl = admin.post(
        "/api/v1/sop/templates",
        json={
            "name": "意向客户跟进",
            "trigger": {"kind": "stage_reached", "stage_ids": [stages["意向客户"]]},
            "steps": [{"text": "给您发一份报价单"}, {"day": 2, "text": "方便到店看看吗？"}],
        },
    )
    assert tpl.status_code == 201, tpl.text
    admin.post(f"/api/v1/sop/templates/{tpl.json()['id']}/enable", json={})
    # the employee moves their customer to the stage: the SOP's to-dos are theirs
    cid, ext = (await _only_mine(db, me))[0]
    r = staff.put(f"/api/v1/customers/{cid}/stage", json={"stage_id": stages["意向客户"]})
    assert r.status_code == 200, r.text

    def sop_due() -> dict[str, Any] | None:
        got = staff.get("/api/v1/frontline/today")
        assert got.status_code == 200, got.text
        body = got.json()
        return body if any(t["external_userid"] == ext for t in body["sop"]) else None

    today = wait_for(sop_due, timeout=60, what="the SOP step in today's to-dos")
    step = next(t for t in today["sop"] if t["external_userid"] == ext)
    assert step["content"][0]["text"] == "给您发一份报价单" and step["userid"] == me
    assert all(t["userid"] == me for t in today["sop"])
    assert all(t["due_at"] < today["day_end"] for t in today["sop"])  # day 2 is not today

    tasks = {t["id"]: t for t in today["tasks"]}
    assert set(tasks) == {send, todo}  # the done to-do is not a to-do any more
    assert tasks[send]["share_api"] == "shareToExternalContact"
    text, link = tasks[send]["content"]
    assert text["kind"] == "text" and "会员日" in text["text"]
    assert link["title"] == "会员日活动" and urlsplit(link["url"]).path.startswith("/r/")
    assert tasks[todo]["share_api"] == "" and tasks[todo]["content"] == []

    # the follow-ups the employee set: overdue and today's are to-dos, tomorrow's is not
    tz = ZoneInfo("Asia/Shanghai")  # the corp's zone
    day = datetime.now(tz).date()
    cids = [c for c, _ in await _only_mine(db, me)]
    plan = {
        cids[0]: datetime.combine(day - timedelta(days=1), time(10), tzinfo=tz),
        cids[-1]: datetime.combine(day + timedelta(days=1), time(10), tzinfo=tz),
    }
    for c, due in plan.items():
        r = staff.put(f"/api/v1/customers/{c}/follow-up", json={"due_at": due.isoformat()})
        assert r.status_code == 200, r.text
    ups = staff.get("/api/v1/frontline/today").json()["follow_ups"]
    assert [(u["customer_id"], u["overdue"]) for u in ups] == [(cids[0], True)]

    # the workbench is an employee's: a console user that is none is refused
    refused = admin.get("/api/v1/frontline/today")
    assert refused.status_code == 403 and "employee" in refused.json()["detail"]


async def test_only_ok_from_wecom_completes_a_shared_task(
    as_role: dict[str, httpx.Client], team: Team, sb: Sandbox
) -> None:
    # the employee never confirms the mass message: only the share can complete their part
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": False})
    admin, staff, manager = as_role["admin"], as_role["staff"], as_role["manager"]
    me = team.staff_userid
    task = _started(admin, task_body("会员日群发", [me]))
    todo = _started(admin, task_body("回访", [me], kind="todo", text="电话回访"))
    url = f"/api/v1/frontline/tasks/{task}/shared"

    cancel = staff.post(url, json={"api": "shareToExternalContact", "result": "cancel"})
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["completed"] is False and cancel.json()["mine"]["shared_at"] is None
    assert employees(admin, task)[me]["done"] is False

    wrong = staff.post(url, json={"api": "shareToExternalMoments", "result": "ok"})
    assert wrong.status_code == 422 and "shareToExternalContact" in wrong.json()["detail"]
    bad = staff.post(url, json={"api": "shareToExternalContact", "result": "maybe"})
    assert bad.status_code == 422
    marked = staff.post(
        f"/api/v1/frontline/tasks/{todo}/shared",
        json={"api": "shareToExternalContact", "result": "ok"},
    )
    assert marked.status_code == 422 and "mark it done" in marked.json()["detail"]
    stranger = manager.post(url, json={"api": "shareToExternalContact", "result": "ok"})
    assert stranger.status_code in (403, 404)  # not their task (outside the manager's scope: 404)
    nobody = admin.post(url, json={"api": "shareToExternalContact", "result": "ok"})
    assert nobody.status_code == 403
    assert employees(admin, task)[me]["done"] is False  # nothing half-written

    ok = staff.post(url, json={"api": "shareToExternalContact", "result": "ok"})
    assert ok.status_code == 200, ok.text
    first = ok.json()
    assert first["completed"] is True and first["mine"]["done"] is True
    assert first["mine"]["share_api"] == "shareToExternalContact"
    assert first["mine"]["completed_at"] == first["mine"]["shared_at"]
    again = staff.post(url, json={"api": "shareToExternalContact", "result": "ok"}).json()
    assert again["mine"]["shared_at"] == first["mine"]["shared_at"]  # the first answer counts
    assert task not in {t["id"] for t in staff.get("/api/v1/frontline/today").json()["tasks"]}

    # WeCom's mass-message results, synced later, do not undo the share
    before = admin.get(f"/api/v1/tasks/{task}").json()["synced_at"]
    assert admin.post(f"/api/v1/tasks/{task}/sync").status_code == 202
    wait_for(
        lambda: admin.get(f"/api/v1/tasks/{task}").json()["synced_at"] != before,
        timeout=60,
        what="the task's sync",
    )
    row = employees(admin, task)[me]
    assert row["done"] is True and row["share_api"] == "shareToExternalContact"
    assert admin.get(f"/api/v1/tasks/{task}").json()["totals"]["employees_done"] == 1

    # the audit log reads as a sentence
    log = admin.get("/api/v1/settings/audit", params={"action": "shared", "limit": 20})
    assert log.status_code == 200, log.text
    said = {e["summary"] for e in log.json()["items"]}
    assert "报告分享结果：营销任务「会员日群发」" in said, said

    # a cancelled task takes no share any more
    other = _started(admin, task_body("另一个任务", [me]))
    assert admin.post(f"/api/v1/tasks/{other}/cancel").status_code == 200
    late = staff.post(
        f"/api/v1/frontline/tasks/{other}/shared",
        json={"api": "shareToExternalContact", "result": "ok"},
    )
    assert late.status_code == 409


async def test_attention_puts_the_newest_customer_activity_first(
    as_role: dict[str, httpx.Client], team: Team, db: Database
) -> None:
    admin, staff = as_role["admin"], as_role["staff"]
    me = team.staff_userid
    mine = await _only_mine(db, me)
    assert len(mine) >= 3, "the seed gives the staff member three customers"
    (a, _), (b, _), (c, _) = mine[:3]
    others = {i for i, _ in await _only_mine(db, team.manager_userid)} - {i for i, _ in mine}
    now = datetime.now(UTC)
    rows = [
        timeline.entry(
            team.corp.id,
            a,
            timeline.RADAR_OPENED,
            at=now - timedelta(minutes=3),
            userid=me,
            title="会员日活动",
            read_seconds=75,
            item_id=1,
        ),
        timeline.entry(
            team.corp.id,
            b,
            timeline.JOINED_GROUP,
            at=now - timedelta(minutes=1),
            group_name="VIP 客户群",
        ),
        # what an employee did is no reason: c's newest entry is a tag, older is its open
        timeline.entry(
            team.corp.id,
            c,
            timeline.RADAR_OPENED,
            at=now - timedelta(minutes=10),
            userid=me,
            title="秋冬新品",
        ),
        timeline.entry(team.corp.id, c, timeline.TAGGED, at=now, userid=me, tag_name="高意向"),
    ]
    if others:  # someone else's customer never shows, however recent
        rows.append(
            timeline.entry(team.corp.id, min(others), timeline.RADAR_OPENED, at=now, title="x")
        )
    await _record(db, rows)

    first = staff.get("/api/v1/frontline/attention", params={"limit": 2})
    assert first.status_code == 200, first.text
    page = first.json()
    assert [x["customer_id"] for x in page["items"]] == [b, a]
    assert page["items"][0]["kind"] == "joined_group"
    assert page["items"][0]["data"] == {"group_name": "VIP 客户群"}
    assert page["items"][1]["data"] == {"title": "会员日活动", "read_seconds": 75}
    assert page["next_cursor"]
    nxt = staff.get(
        "/api/v1/frontline/attention", params={"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert nxt["items"][0]["customer_id"] == c
    assert nxt["items"][0]["kind"] == "radar_opened"
    assert nxt["items"][0]["data"]["title"] == "秋冬新品"
    seen = [x["customer_id"] for x in page["items"] + nxt["items"]]
    assert not set(seen) & others and len(seen) == len(set(seen))

    bad = staff.get("/api/v1/frontline/attention", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert bad.status_code == 422
    assert staff.get("/api/v1/frontline/attention", params={"limit": 0}).status_code == 422
    assert admin.get("/api/v1/frontline/attention").status_code == 403


async def test_an_employee_of_another_corp_with_the_same_userid_sees_nothing(
    as_role: dict[str, httpx.Client], team: Team, db: Database, siyu: Siyu
) -> None:
    """userids are only unique within a corp: the workbench's queries are scoped by corp."""
    admin, staff = as_role["admin"], as_role["staff"]
    me = team.staff_userid
    task = _started(admin, task_body("会员日群发", [me]))
    cid = (await _only_mine(db, me))[0][0]
    now = datetime.now(UTC)
    await _record(db, [timeline.entry(team.corp.id, cid, timeline.RADAR_OPENED, at=now)])
    async with db.unit_of_work() as s:
        other = Corp(
            wecom_corp_id="ww-other", name="别家", secret_enc="-", token_enc="-", aes_key_enc="-"
        )
        s.add(other)
        await s.flush()
        s.add(Employee(corp_id=other.id, userid=me, name="同名员工"))
        await s.flush()
        await accounts.create_user(
            s, other.id, username="twin", role="staff", userid=me, password=PASSWORD
        )
    twin = httpx.Client(base_url=siyu.url, timeout=30)
    r = twin.post(
        "/api/v1/auth/login", json={"username": "twin", "password": PASSWORD, "corp": "ww-other"}
    )
    assert r.status_code == 200, r.text
    twin.headers["X-Siyu-CSRF"] = twin.cookies["siyu_csrf"]
    assert [x["customer_id"] for x in staff.get("/api/v1/frontline/attention").json()["items"]]
    assert task in {t["id"] for t in staff.get("/api/v1/frontline/today").json()["tasks"]}

    today = twin.get("/api/v1/frontline/today")
    assert today.status_code == 200, today.text
    assert today.json()["sop"] == [] and today.json()["tasks"] == []
    assert twin.get("/api/v1/frontline/attention").json()["items"] == []
    shared = twin.post(
        f"/api/v1/frontline/tasks/{task}/shared",
        json={"api": "shareToExternalContact", "result": "ok"},
    )
    assert shared.status_code == 404
    assert employees(admin, task)[me]["done"] is False
    twin.close()
