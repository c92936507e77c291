"""Channel codes within a data scope (issue 13 §6): a manager or staff member sees and uses the
codes that route to an employee of their scope (list, detail, QR, poster, statistics counting
their own adds only), creates and edits only codes entirely within it. Per role, over HTTP
against the sandbox."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.conftest import Team
from tests.accounts.conftest import as_role as as_role  # the fixture, re-exported
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import Sandbox, Siyu, wait_for

PATH = "/api/v1/acquisition/channels"


def _code(client: httpx.Client, name: str, userids: list[str]) -> dict[str, Any]:
    r = client.post(PATH, json={"name": name, "userids": userids})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _listed(client: httpx.Client) -> set[int]:
    r = client.get(PATH, params={"limit": 200})
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


async def test_channel_codes_per_role(
    siyu: Siyu, sb: Sandbox, api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    callback = f"{siyu.url}/wecom/callback/{team.corp.wecom_corp_id}"
    sb.put("/sandbox/config", {"callback_url": callback})
    emps = [e["userid"] for e in sb.get("/sandbox/employees")]
    me = team.staff_userid
    outsider = next(u for u in emps if u not in team.manager_scope and u != me)
    admin, operator = as_role["admin"], as_role["operator"]
    manager, staff = as_role["manager"], as_role["staff"]
    mine = _code(admin, "门店海报", [me])
    theirs = _code(admin, "外区海报", [outsider])
    shared = _code(admin, "联合活码", [me, outsider])
    for c in (mine, theirs, shared, shared):
        sb.act("scan", config_id=c["config_id"])
    wait_for(
        lambda: api.get("/api/v1/acquisition/stats").json()["totals"]["adds"] == 4,
        what="the four adds counted",
    )

    # full access: every code, every add
    for client in (admin, operator):
        assert {mine["id"], theirs["id"], shared["id"]} <= _listed(client)
        totals = client.get("/api/v1/acquisition/stats").json()["totals"]
        assert totals["adds"] == 4

    # staff: the codes that route to them; the others are unknown
    assert _listed(staff) == {mine["id"], shared["id"]}
    assert staff.get(f"{PATH}/{theirs['id']}").status_code == 404
    assert staff.get(f"{PATH}/{theirs['id']}/qr.png").status_code == 404
    qr = staff.get(f"{PATH}/{mine['id']}/qr.png")
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
    assert staff.get(f"{PATH}/{shared['id']}/poster.png").status_code == 200
    assert staff.get(f"{PATH}/{mine['id']}/duty").status_code == 200
    # their statistics: the adds through them only
    by_emp = staff.get("/api/v1/acquisition/stats", params={"by": "employee"}).json()
    assert {r["key"] for r in by_emp["rows"]} <= {me}
    own_adds = by_emp["totals"]["adds"]
    full = api.get("/api/v1/acquisition/stats", params={"by": "employee"}).json()
    assert own_adds == sum(r["adds"] for r in full["rows"] if r["key"] == me) >= 1
    exported = staff.get("/api/v1/acquisition/stats/export", params={"format": "csv"})
    assert exported.status_code == 200, exported.text
    lines = [x for x in exported.text.lstrip("\ufeff").splitlines()[1:] if x]
    assert len(lines) >= 1 and all(outsider not in x for x in lines)
    by_code = staff.get("/api/v1/acquisition/stats").json()
    assert {int(r["key"]) for r in by_code["rows"]} <= {mine["id"], shared["id"]}
    # creating and editing: personal codes only, shared ones are read-only
    own = _code(staff, "我的名片", [me])
    r = staff.post(PATH, json={"name": "越权", "userids": [outsider]})
    assert r.status_code == 403, r.text
    r = staff.post(PATH, json={"name": "越权2", "userids": [me], "backups": [outsider]})
    assert r.status_code == 403, r.text
    assert staff.patch(f"{PATH}/{own['id']}", json={"name": "我的新名片"}).status_code == 200
    r = staff.patch(f"{PATH}/{own['id']}", json={"userids": [me, outsider]})
    assert r.status_code == 403, r.text
    assert staff.patch(f"{PATH}/{shared['id']}", json={"name": "改"}).status_code == 403
    assert staff.delete(f"{PATH}/{shared['id']}").status_code == 403
    assert staff.delete(f"{PATH}/{theirs['id']}").status_code == 404
    assert staff.delete(f"{PATH}/{own['id']}").status_code == 204
    # batch creation and uploads stay with full access
    assert staff.get(f"{PATH}/batch/template").status_code == 403

    # manager: the codes of their department subtree
    boss = _code(admin, "店长活码", [team.manager_userid])
    listed = _listed(manager)
    assert boss["id"] in listed and theirs["id"] not in listed
    assert (mine["id"] in listed) == (me in team.manager_scope)
    assert manager.get(f"{PATH}/{theirs['id']}").status_code == 404
    assert manager.patch(f"{PATH}/{boss['id']}", json={"name": "店长活码2"}).status_code == 200
    assert manager.patch(f"{PATH}/{shared['id']}", json={"name": "改"}).status_code in (403, 404)
    colleague = sorted(team.manager_scope)[0]
    assert manager.post(PATH, json={"name": "部门活码", "userids": [colleague]}).status_code == 201
    assert manager.post(PATH, json={"name": "越权3", "userids": [outsider]}).status_code == 403
