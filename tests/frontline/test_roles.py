"""Roles: admin/operator manage and see every task; a manager sees their department subtree's
employees; staff see only their own tasks and rows (and mark their own to-dos done)."""

from __future__ import annotations

import httpx

from tests.accounts.conftest import Team
from tests.frontline.conftest import employees, task_body


def _todo(name: str, userids: list[str]) -> dict[str, object]:
    return task_body(name, userids, kind="todo", text="本周回访 5 位老客户并记录跟进")


async def test_each_role_sees_its_own_share(as_role: dict[str, httpx.Client], team: Team) -> None:
    admin, operator = as_role["admin"], as_role["operator"]
    manager, staff = as_role["manager"], as_role["staff"]
    everyone = [
        e["userid"] for e in admin.get("/api/v1/employees", params={"limit": 200}).json()["items"]
    ]
    outside = sorted(set(everyone) - team.manager_scope - {team.staff_userid})
    assert outside, "the seed needs an employee outside the manager's subtree"

    r = admin.post("/api/v1/tasks", json=_todo("全员回访", everyone))
    assert r.status_code == 201, r.text
    task = r.json()
    assert admin.post(f"/api/v1/tasks/{task['id']}/start").json()["status"] == "running"
    other = operator.post("/api/v1/tasks", json=_todo("外部门任务", outside[:1])).json()
    assert operator.post(f"/api/v1/tasks/{other['id']}/start").status_code == 200

    # admin and operator: every task and every row
    for client in (admin, operator):
        ids = {t["id"] for t in client.get("/api/v1/tasks").json()["items"]}
        assert ids == {task["id"], other["id"]}
        assert set(employees(client, task["id"])) == set(everyone)

    # manager: tasks of their employees, rows of their subtree, totals over their scope
    assert [t["id"] for t in manager.get("/api/v1/tasks").json()["items"]] == [task["id"]]
    assert set(employees(manager, task["id"])) == team.manager_scope & set(everyone)
    detail = manager.get(f"/api/v1/tasks/{task['id']}").json()
    assert detail["totals"]["employees"] == len(team.manager_scope & set(everyone))
    assert manager.get(f"/api/v1/tasks/{other['id']}").status_code == 404
    assert manager.post("/api/v1/tasks", json=_todo("x", everyone)).status_code == 403
    reminded = manager.post(f"/api/v1/tasks/{task['id']}/remind").json()
    assert reminded["employees"] == len(team.manager_scope & set(everyone))

    # staff: only their own row; they mark their own part done
    assert [t["id"] for t in staff.get("/api/v1/tasks").json()["items"]] == [task["id"]]
    assert list(employees(staff, task["id"])) == [team.staff_userid]
    assert staff.post("/api/v1/tasks", json=_todo("x", everyone)).status_code == 403
    assert staff.post(f"/api/v1/tasks/{task['id']}/remind").status_code == 403
    assert staff.post(f"/api/v1/tasks/{task['id']}/cancel").status_code == 403
    assert staff.get(f"/api/v1/tasks/{other['id']}").status_code == 404
    done = staff.post(f"/api/v1/tasks/{task['id']}/done", json={"done": True})
    assert done.status_code == 200 and done.json()["done"] and done.json()["completed_at"]
    rows = employees(admin, task["id"])
    assert [u for u, e in rows.items() if e["done"]] == [team.staff_userid]
    assert admin.get(f"/api/v1/tasks/{task['id']}").json()["totals"]["employees_done"] == 1
    board = staff.get("/api/v1/tasks/leaderboard").json()
    assert [b["userid"] for b in board] == [team.staff_userid] and board[0]["done"] == 1
    # the admin user is linked to no employee: nothing of theirs to mark done
    assert admin.post(f"/api/v1/tasks/{task['id']}/done", json={}).status_code == 403
