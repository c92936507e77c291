"""Overdue follow-ups grouped by employee for managers (issue 16): scope per role, filters,
pages, CSV/XLSX export and clear 4xx errors."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from siyu.customers.models import FollowRelation
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.employees.models import Employee
from tests.accounts.conftest import Team, as_role  # noqa: F401  (the fixture)
from tests.accounts.conftest import team as team  # the fixture, re-exported

URL = "/api/v1/customers/follow-ups/overdue"


async def relations(db: Database, userid: str, n: int) -> list[int]:
    async with db.unit_of_work() as s:
        ids = (
            await s.scalars(
                select(FollowRelation.customer_id)
                .where(FollowRelation.userid == userid, FollowRelation.deleted_at.is_(None))
                .order_by(FollowRelation.customer_id)
                .limit(n)
            )
        ).all()
    return [int(i) for i in ids]


async def outsider(db: Database, team: Team) -> str:
    """An employee outside the manager's scope who follows customers."""
    async with db.unit_of_work() as s:
        users = (await s.scalars(select(Employee.userid).order_by(Employee.userid))).all()
    for u in users:
        if u not in team.manager_scope | {team.staff_userid} and await relations(db, u, 1):
            return str(u)
    raise AssertionError("the seed has no employee outside the manager's department")


async def test_overdue_by_employee_within_scope(
    as_role: dict[str, httpx.Client],  # noqa: F811
    team: Team,
    db: Database,
) -> None:
    admin, manager, staff = as_role["admin"], as_role["manager"], as_role["staff"]
    past = utcnow() - timedelta(days=2)
    other = await outsider(db, team)
    plan = {team.staff_userid: 2, other: 1, team.manager_userid: 1}
    for userid, n in plan.items():
        for i, cid in enumerate(await relations(db, userid, n)):
            r = admin.put(
                f"/api/v1/customers/{cid}/follow-up",
                json={
                    "userid": userid,
                    "due_at": (past + timedelta(hours=i)).isoformat(),
                    "note": f"逾期{i}",
                },
            )
            assert r.status_code == 200, r.text
    # a future one is not overdue
    later = (await relations(db, team.staff_userid, 3))[2]
    admin.put(
        f"/api/v1/customers/{later}/follow-up",
        json={"userid": team.staff_userid, "due_at": (utcnow() + timedelta(days=1)).isoformat()},
    )

    def view(client: httpx.Client, **params: object) -> dict[str, int]:
        r = client.get(URL, params=params)
        assert r.status_code == 200, r.text
        return {g["userid"]: g["overdue"] for g in r.json()["items"]}

    everyone = view(admin)
    assert everyone[team.staff_userid] == 2 and everyone[other] == 1
    assert set(view(staff)) == {team.staff_userid}
    team_view = view(manager)
    assert other not in team_view and set(team_view) <= team.manager_scope
    assert team_view[team.manager_userid] == 1
    assert view(admin, userid=other) == {other: 1}
    assert view(staff, userid=other) == {}  # out of scope: nothing, not someone else's list
    body = admin.get(URL, params={"userid": team.staff_userid}).json()
    group = body["items"][0]
    assert body["total"] == 1 and group["name"] and len(group["follow_ups"]) == 2
    assert [f["note"] for f in group["follow_ups"]] == ["逾期0", "逾期1"]
    # pages: most overdue first
    p1 = admin.get(URL, params={"limit": 1}).json()
    p2 = admin.get(URL, params={"limit": 1, "offset": 1}).json()
    assert p1["items"][0]["userid"] == team.staff_userid and p1["total"] == len(everyone)
    assert p2["items"][0]["userid"] != team.staff_userid
    # by department: the manager's own department subtree
    async with db.unit_of_work() as s:
        dept = (await s.scalar(select(Employee.department_ids).where(Employee.userid == other)))[0]
    assert other in view(admin, department_id=dept)
    r = admin.get(URL, params={"department_id": 987654})
    assert r.status_code == 422 and "部门 987654 不存在" in r.json()["detail"]
    assert admin.get(URL, params={"limit": 0}).status_code == 422
    # export: one row per overdue follow-up, the corp's clock in the header
    csv = admin.get(f"{URL}/export", params={"format": "csv"})
    assert csv.status_code == 200
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert "跟进时间 (Asia/Shanghai)" in lines[0] and len(lines) == 1 + sum(everyone.values())
    assert "逾期1" in csv.text
    mine = staff.get(f"{URL}/export", params={"format": "csv"}).text.lstrip("\ufeff").splitlines()
    assert len(mine) == 3
    xlsx = manager.get(f"{URL}/export", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert admin.get(f"{URL}/export", params={"format": "pdf"}).status_code == 422
