"""Who sees and changes which phrase, per role: corp phrases published to everyone or to
departments (a department's subtree included), personal phrases only for their owner."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from siyu.db.session import Database
from siyu.employees.models import Department, Employee
from tests.accounts.conftest import Team
from tests.phrases.conftest import made, phrase, png, titles


async def _chain_and_other(db: Database, userid: str) -> tuple[int, list[int], int]:
    """(the employee's department, its ancestors up to the root, a department outside them)."""
    async with db.unit_of_work() as s:
        emp = await s.scalar(select(Employee).where(Employee.userid == userid))
        assert emp is not None
        parents = {d.dept_id: d.parent_id for d in (await s.scalars(select(Department))).all()}
    own = emp.department_ids[0]
    chain: list[int] = []
    walk: int | None = parents.get(own)
    while walk is not None:
        chain.append(walk)
        walk = parents.get(walk)
    mine = set(chain) | set(emp.department_ids)
    other = next(d for d in sorted(parents) if d not in mine)
    return own, chain, other


async def test_scope_per_role(as_role: dict[str, httpx.Client], team: Team, db: Database) -> None:
    admin, operator = as_role["admin"], as_role["operator"]
    manager, staff = as_role["manager"], as_role["staff"]
    own, ancestors, other = await _chain_and_other(db, team.staff_userid)

    # operators manage corp phrases, as admins do
    folder = made(operator.post("/api/v1/phrases/folders", json={"name": "通用"}))
    everyone = phrase(operator, title="全员话术", folder_id=folder["id"])
    phrase(admin, title="本部门话术", department_ids=[own], folder_id=folder["id"])
    to_other = phrase(admin, title="别部门话术", department_ids=[other], folder_id=folder["id"])
    assert to_other["departments"] and to_other["departments"][0] != str(other)
    seen = {"全员话术", "本部门话术", "别部门话术"}
    assert set(titles(admin)) == set(titles(operator)) == seen

    # staff: everyone's and their department's; another department's is not even there
    assert set(titles(staff)) == {"全员话术", "本部门话术"}
    assert staff.get(f"/api/v1/phrases/{to_other['id']}").status_code == 404
    assert staff.post(f"/api/v1/phrases/{to_other['id']}/used").status_code == 404
    assert staff.get("/api/v1/phrases/folders").json()[0]["phrases"] == 2
    assert admin.get("/api/v1/phrases/folders").json()[0]["phrases"] == 3
    assert ancestors  # the sandbox nests departments under the root
    if ancestors:  # published to a parent department: its subdepartments see it
        up = phrase(admin, title="上级部门话术", department_ids=[ancestors[0]])
        assert "上级部门话术" in titles(staff)
        assert admin.delete(f"/api/v1/phrases/{up['id']}").status_code == 204

    # staff and managers read corp phrases; they neither write nor reorder them
    for client in (staff, manager):
        r = client.post("/api/v1/phrases", json={"title": "越权", "body": "x"})
        assert r.status_code == 403
        r = client.patch(f"/api/v1/phrases/{everyone['id']}", json={"title": "改"})
        assert r.status_code == 403
        assert client.delete(f"/api/v1/phrases/{everyone['id']}").status_code == 403
        assert (
            client.put("/api/v1/phrases/order", json={"ids": [everyone["id"]]}).status_code == 403
        )
        assert client.post("/api/v1/phrases/folders", json={"name": "私建"}).status_code == 403
        assert client.get(f"/api/v1/phrases/{everyone['id']}").json()["editable"] is False

    # personal phrases: the owner only, whatever the other's role
    img = made(staff.post("/api/v1/phrases/images", files={"file": ("a.png", png(), "image/png")}))
    pic = phrase(staff, scope="personal", kind="image", title="我的名片", file_id=img["file_id"])
    mine = phrase(staff, scope="personal", title="我的开场白", body="您好，我是小李")
    assert mine["editable"] and mine["scope"] == "personal"
    assert titles(staff, scope="personal") == ["我的名片", "我的开场白"]
    made(staff.put("/api/v1/phrases/order", json={"ids": [mine["id"], pic["id"]]}), 200)
    assert titles(staff, scope="personal") == ["我的开场白", "我的名片"]
    made(staff.patch(f"/api/v1/phrases/{mine['id']}", json={"body": "您好，我是小李～"}), 200)
    for client in (admin, operator, manager):
        assert "我的开场白" not in titles(client)
        assert client.get(f"/api/v1/phrases/{mine['id']}").status_code == 404
        assert client.patch(f"/api/v1/phrases/{mine['id']}", json={"title": "x"}).status_code == 404
        assert client.get(f"/api/v1/phrases/{pic['id']}/image").status_code == 404
    no_folder = staff.post(
        "/api/v1/phrases",
        json={"scope": "personal", "title": "放进夹", "body": "x", "folder_id": folder["id"]},
    )
    assert no_folder.status_code == 422
    # an account without an employee has no personal phrases
    r = admin.post("/api/v1/phrases", json={"scope": "personal", "title": "管理员", "body": "x"})
    assert r.status_code == 403 and "not linked" in r.text
    assert staff.delete(f"/api/v1/phrases/{mine['id']}").status_code == 204
    assert titles(staff, scope="personal") == ["我的名片"]
