"""Broadcasts within a data scope (issue 13 §6): a manager or staff member broadcasts only to
customers of their scope, only through employees of their visible set, and sees only the
broadcasts they created; the plan never holds a relation out of scope. Per role, over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from tests.accounts.conftest import Team
from tests.accounts.conftest import as_role as as_role  # the fixture, re-exported
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import Sandbox, wait_for


def _customers(client: httpx.Client) -> set[int]:
    r = client.get("/api/v1/customers", params={"limit": 500})
    assert r.status_code == 200 and r.json()["next_cursor"] is None, r.text
    return {c["id"] for c in r.json()["items"]}


def _planned(client: httpx.Client, name: str, **audience: Any) -> dict[str, Any]:
    r = client.post("/api/v1/broadcasts", json={"name": name, "text": "周末会员日", **audience})
    assert r.status_code == 201, r.text
    bid = r.json()["id"]

    def planned() -> Any:
        d = client.get(f"/api/v1/broadcasts/{bid}").json()
        return d if d["status"] not in ("planning", "scheduled") else None

    return dict(wait_for(planned, timeout=60, what="the plan"))


def _recipients(client: httpx.Client, bid: int) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/broadcasts/{bid}/recipients", params={"limit": 1000})
    assert r.status_code == 200 and r.json()["next_cursor"] is None, r.text
    return list(r.json()["items"])


async def test_broadcasts_per_role(
    api: httpx.Client, sb: Sandbox, as_role: dict[str, httpx.Client], team: Team
) -> None:
    sb.put("/sandbox/groupmsg/config", {"auto_confirm": True, "cap_rule": "off"})
    everyone = _customers(api)
    scopes = {"staff": {team.staff_userid}, "manager": set(team.manager_scope)}
    # full access: the whole corp, as before
    for role in ("admin", "operator"):
        p = as_role[role].post("/api/v1/broadcasts/preview", json={}).json()
        assert p["total"] == len(everyone), role
    hq = _planned(as_role["admin"], "总部群发")
    assert hq["total"] == len(everyone)
    for role, scope in scopes.items():
        client = as_role[role]
        mine = _customers(client)
        assert 0 < len(mine) < len(everyone)
        p = client.post("/api/v1/broadcasts/preview", json={}).json()
        assert p["total"] == len(mine), role
        assert {x["userid"] for x in p["by_employee"]} <= scope
        b = _planned(client, f"{role} 的群发")
        assert b["total"] == len(mine) and set(b["audience"]["userids"]) == scope
        got = _recipients(client, b["id"])
        assert {r["customer_id"] for r in got} == mine
        assert {r["userid"] for r in got} <= scope
        # another employee's relations are refused, HQ's broadcasts are unknown
        outside = sorted({u for x in hq["jobs"] for u in [x["userid"]]} - scope)
        r = client.post(
            "/api/v1/broadcasts",
            json={"name": "越权", "text": "x", "audience": {"userids": outside[:1]}},
        )
        assert r.status_code == 403, r.text
        r = client.post("/api/v1/broadcasts/preview", json={"userids": outside[:1]})
        assert r.status_code == 403, r.text
        assert [x["id"] for x in client.get("/api/v1/broadcasts").json()["items"]] == [b["id"]]
        for path in ("", "/recipients", "/recipients/export"):
            assert client.get(f"/api/v1/broadcasts/{hq['id']}{path}").status_code == 404, path
        assert client.post(f"/api/v1/broadcasts/{hq['id']}/cancel").status_code == 404
        assert client.post(f"/api/v1/broadcasts/{hq['id']}/sync").status_code == 404
        assert client.get("/api/v1/broadcasts/settings").status_code == 403
    # admins see every broadcast
    assert len(as_role["operator"].get("/api/v1/broadcasts").json()["items"]) == 3
