"""Segments within a data scope (issue 13 §6): managers and staff list segments and read them
(counts, members, draft previews, exports) as the members ∩ the customers their employees
follow; only admins and operators define them. Per role, over HTTP."""

from __future__ import annotations

import csv
import io

import httpx

from tests.accounts.conftest import Team
from tests.accounts.conftest import as_role as as_role  # the fixture, re-exported
from tests.accounts.conftest import team as team  # the fixture, re-exported

RULE = {"type": "gender", "values": [1, 2]}


def _customers(client: httpx.Client) -> set[int]:
    r = client.get("/api/v1/customers", params={"limit": 500})
    assert r.status_code == 200 and r.json()["next_cursor"] is None, r.text
    return {c["id"] for c in r.json()["items"]}


def _members(client: httpx.Client, sid: int) -> dict[int, list[str]]:
    r = client.get(f"/api/v1/segments/{sid}/members", params={"limit": 500})
    assert r.status_code == 200 and r.json()["next_cursor"] is None, r.text
    return {c["id"]: c["userids"] for c in r.json()["items"]}


async def test_segments_per_role(
    api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    seg = as_role["operator"].post("/api/v1/segments", json={"name": "男女客户", "rule": RULE})
    assert seg.status_code == 201, seg.text
    sid = seg.json()["id"]
    everyone = set(_members(api, sid))
    assert everyone
    scopes = {"staff": {team.staff_userid}, "manager": set(team.manager_scope)}
    for role in ("admin", "operator", "manager", "staff"):
        client = as_role[role]
        assert [s["id"] for s in client.get("/api/v1/segments").json()] == [sid]
        assert client.get(f"/api/v1/segments/{sid}").json()["name"] == "男女客户"
        expected = everyone & _customers(client)
        if role in scopes:
            assert 0 < len(expected) < len(everyone), role
        else:
            assert expected == everyone
        assert client.get(f"/api/v1/segments/{sid}/count").json()["count"] == len(expected)
        members = _members(client, sid)
        assert set(members) == expected, role
        if role in scopes:  # the member rows show the relations of the scope only
            assert all(set(us) <= scopes[role] for us in members.values()), role
        draft = client.post("/api/v1/segments/preview", json={"rule": RULE}).json()
        assert draft["count"] == len(expected), role
        page = client.post("/api/v1/segments/preview/members", json={"rule": RULE, "limit": 500})
        assert {c["id"] for c in page.json()["items"]} == expected, role
        r = client.get(f"/api/v1/segments/{sid}/export", params={"format": "csv"})
        assert r.status_code == 200, r.text
        rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))[1:]
        assert {int(x[0]) for x in rows} == expected, role
    # defining segments stays with admins and operators
    for role in ("manager", "staff"):
        client = as_role[role]
        assert client.post("/api/v1/segments", json={"name": "x", "rule": RULE}).status_code == 403
        assert client.patch(f"/api/v1/segments/{sid}", json={"name": "y"}).status_code == 403
        assert client.delete(f"/api/v1/segments/{sid}").status_code == 403
        assert client.post(f"/api/v1/segments/{sid}/snapshots").status_code == 403
