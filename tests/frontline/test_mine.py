"""GET /tasks/mine (the chat sidebar's 我的任务): the signed-in employee's running tasks with
their own progress, and for the chat's customer the content with their own radar links."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tests.accounts.conftest import Team
from tests.conftest import wait_for
from tests.frontline.conftest import synced, task_body


def _started(admin: httpx.Client, body: dict[str, object]) -> int:
    created = admin.post("/api/v1/tasks", json=body)
    assert created.status_code == 201, created.text
    tid = int(created.json()["id"])
    assert admin.post(f"/api/v1/tasks/{tid}/start").json()["status"] == "running"
    return tid


def _customers(client: httpx.Client) -> list[str]:
    items = client.get("/api/v1/customers", params={"limit": 500}).json()["items"]
    return [c["external_userid"] for c in items]


async def test_staff_sees_their_own_running_tasks_and_content_for_their_customer(
    as_role: dict[str, httpx.Client], team: Team
) -> None:
    admin, staff, manager = as_role["admin"], as_role["staff"], as_role["manager"]
    item = admin.post(
        "/api/v1/content",
        json={"kind": "link", "title": "会员日活动", "url": "https://example.com/vip-day"},
    ).json()
    both = [team.staff_userid, team.manager_userid]
    todo = _started(
        admin,
        task_body("回访老客户", both, kind="todo", text="回访并发送活动", content_ids=[item["id"]]),
    )
    draft = admin.post("/api/v1/tasks", json=task_body("草稿", both, kind="todo")).json()["id"]
    others = _started(admin, task_body("经理的任务", [team.manager_userid], kind="todo"))

    assert [t["id"] for t in staff.get("/api/v1/tasks/mine").json()] == [todo]
    assert {t["id"] for t in manager.get("/api/v1/tasks/mine").json()} == {todo, others}
    assert draft not in {t["id"] for t in manager.get("/api/v1/tasks/mine").json()}
    refused = admin.get("/api/v1/tasks/mine")  # a console user that is no employee
    assert refused.status_code == 403 and "employee" in refused.json()["detail"]

    mine = _customers(staff)
    ext = mine[0]
    [t] = staff.get("/api/v1/tasks/mine", params={"external_userid": ext}).json()
    assert t["mine"]["userid"] == team.staff_userid and t["mine"]["done"] is False
    assert t["customer_state"] is None  # to-dos have no per-customer send
    text, link = t["content"]
    assert text == {**text, "kind": "text", "text": "回访并发送活动"}
    assert link["kind"] == "link" and link["title"] == "会员日活动"
    assert urlsplit(link["url"]).path.startswith("/r/")
    # the link is the staff member's own radar link: opening it redirects to the item
    # the link is the staff member's own radar link for this customer: an open counts for them
    anon = httpx.Client(base_url=str(staff.base_url), timeout=30)
    path = link["url"][link["url"].index("/r/") :]
    assert anon.get(path, follow_redirects=False).status_code in (200, 302)
    anon.close()

    strangers = sorted(set(_customers(admin)) - set(mine))
    if strangers:  # a customer the employee does not follow: nothing to send them
        [t] = staff.get("/api/v1/tasks/mine", params={"external_userid": strangers[0]}).json()
        assert t["content"] == []

    done = staff.post(f"/api/v1/tasks/{todo}/done", json={"done": True})
    assert done.status_code == 200, done.text
    [t] = staff.get("/api/v1/tasks/mine").json()
    assert t["mine"]["done"] is True and t["mine"]["completion_rate"] == 1.0
    assert t["mine"]["opens"] == 1 and t["mine"]["opened_customers"] == 1
    assert {x["id"]: x["mine"]["done"] for x in manager.get("/api/v1/tasks/mine").json()} == {
        todo: False,
        others: False,
    }


async def test_customer_task_shows_whether_the_chat_customer_is_a_target(
    as_role: dict[str, httpx.Client], team: Team
) -> None:
    admin, staff = as_role["admin"], as_role["staff"]
    item = admin.post(
        "/api/v1/content",
        json={"kind": "link", "title": "会员日活动", "url": "https://example.com/vip-day"},
    ).json()
    tid = _started(admin, task_body("会员日群发", [team.staff_userid], content_ids=[item["id"]]))
    ext = _customers(staff)[0]

    def targeted() -> dict[str, object] | None:
        [t] = staff.get("/api/v1/tasks/mine", params={"external_userid": ext}).json()
        return t if t["customer_state"] else None

    t = wait_for(targeted, timeout=60, what="the task's ledger rows")
    assert t["id"] == tid and t["customer_state"] in ("planned", "submitted", "sent")
    text, link = t["content"]
    assert text == {**text, "kind": "text", "text": "会员日全场八折，点击查看详情 👇"}
    assert link["kind"] == "link" and "/r/" in link["url"]

    # the link sent from the sidebar names the task's broadcast: its opens are the task's effect
    anon = httpx.Client(base_url=str(staff.base_url), timeout=30)
    assert anon.get(
        link["url"][link["url"].index("/r/") :], follow_redirects=False
    ).status_code in (
        200,
        302,
    )
    anon.close()
    synced(admin, tid, lambda d: d["totals"]["opens"] == 1)
    [t] = staff.get("/api/v1/tasks/mine").json()
    assert t["mine"]["opens"] == 1 and t["mine"]["opened_customers"] == 1
    assert t["customer_state"] is None and t["content"] == []  # no customer: nothing to send
