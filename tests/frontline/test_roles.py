"""Roles, one test each: admin and operator manage and see every task; a manager sees their
department subtree's employees; staff see only their own tasks and rows (and mark their own
to-dos done)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tests.accounts.conftest import Team
from tests.frontline.conftest import employees, task_body


@dataclass
class Setup:
    everyone: list[str]
    task: int
    other: int  # assigns only an employee outside the manager's subtree and not the staff


def _todo(name: str, userids: list[str]) -> dict[str, object]:
    return task_body(name, userids, kind="todo", text="本周回访 5 位老客户并记录跟进")


def _setup(as_role: dict[str, httpx.Client], team: Team) -> Setup:
    admin = as_role["admin"]
    items = admin.get("/api/v1/employees", params={"limit": 200}).json()["items"]
    everyone = [e["userid"] for e in items]
    outside = sorted(set(everyone) - team.manager_scope - {team.staff_userid})
    assert outside, "the seed needs an employee outside the manager's subtree"
    task = admin.post("/api/v1/tasks", json=_todo("全员回访", everyone))
    assert task.status_code == 201, task.text
    other = as_role["operator"].post("/api/v1/tasks", json=_todo("外部门任务", outside[:1]))
    assert other.status_code == 201, other.text
    for tid in (task.json()["id"], other.json()["id"]):
        assert admin.post(f"/api/v1/tasks/{tid}/start").json()["status"] == "running"
    return Setup(everyone, task.json()["id"], other.json()["id"])


async def test_admin_sees_and_manages_everything(
    as_role: dict[str, httpx.Client], team: Team
) -> None:
    x = _setup(as_role, team)
    admin = as_role["admin"]
    assert {t["id"] for t in admin.get("/api/v1/tasks").json()["items"]} == {x.task, x.other}
    assert set(employees(admin, x.task)) == set(x.everyone)
    assert admin.post(f"/api/v1/tasks/{x.task}/remind").json()["employees"] == len(x.everyone)
    # the admin user is linked to no employee: nothing of theirs to mark done
    assert admin.post(f"/api/v1/tasks/{x.task}/done", json={}).status_code == 403


async def test_operator_sees_everything_and_creates(
    as_role: dict[str, httpx.Client], team: Team
) -> None:
    x = _setup(as_role, team)
    operator = as_role["operator"]
    assert {t["id"] for t in operator.get("/api/v1/tasks").json()["items"]} == {x.task, x.other}
    assert set(employees(operator, x.other)) == set(employees(as_role["admin"], x.other))
    draft = operator.post("/api/v1/tasks", json=_todo("草稿", x.everyone[:1])).json()
    assert operator.delete(f"/api/v1/tasks/{draft['id']}").status_code == 204


async def test_manager_sees_their_department_subtree(
    as_role: dict[str, httpx.Client], team: Team
) -> None:
    x = _setup(as_role, team)
    manager = as_role["manager"]
    mine = team.manager_scope & set(x.everyone)
    assert [t["id"] for t in manager.get("/api/v1/tasks").json()["items"]] == [x.task]
    assert set(employees(manager, x.task)) == mine
    assert manager.get(f"/api/v1/tasks/{x.task}").json()["totals"]["employees"] == len(mine)
    assert manager.get(f"/api/v1/tasks/{x.other}").status_code == 404
    assert manager.post("/api/v1/tasks", json=_todo("x", x.everyone)).status_code == 403
    assert manager.post(f"/api/v1/tasks/{x.task}/start").status_code == 403
    assert manager.post(f"/api/v1/tasks/{x.task}/remind").json()["employees"] == len(mine)
    csv = manager.get(f"/api/v1/tasks/{x.task}/employees/export", params={"format": "csv"})
    assert csv.text.count("\n") == len(mine) + 1


async def test_staff_sees_only_their_own(as_role: dict[str, httpx.Client], team: Team) -> None:
    x = _setup(as_role, team)
    staff, admin = as_role["staff"], as_role["admin"]
    assert [t["id"] for t in staff.get("/api/v1/tasks").json()["items"]] == [x.task]
    assert list(employees(staff, x.task)) == [team.staff_userid]
    assert staff.post("/api/v1/tasks", json=_todo("x", x.everyone)).status_code == 403
    assert staff.post(f"/api/v1/tasks/{x.task}/remind").status_code == 403
    assert staff.post(f"/api/v1/tasks/{x.task}/cancel").status_code == 403
    assert staff.get(f"/api/v1/tasks/{x.other}").status_code == 404
    done = staff.post(f"/api/v1/tasks/{x.task}/done", json={"done": True})
    assert done.status_code == 200 and done.json()["done"] and done.json()["completed_at"]
    rows = employees(admin, x.task)
    assert [u for u, e in rows.items() if e["done"]] == [team.staff_userid]
    assert admin.get(f"/api/v1/tasks/{x.task}").json()["totals"]["employees_done"] == 1
    board = staff.get("/api/v1/tasks/leaderboard").json()
    assert [b["userid"] for b in board] == [team.staff_userid] and board[0]["done"] == 1
