"""A test per role: the API refuses what the role may not see or do."""

from __future__ import annotations

import httpx

from tests.accounts.conftest import Team
from tests.conftest import Siyu


def _all_ids(client: httpx.Client, **params: object) -> set[int]:
    ids: set[int] = set()
    cursor = None
    while True:
        r = client.get("/api/v1/customers", params={**params, "limit": 500, "cursor": cursor})
        assert r.status_code == 200, r.text
        body = r.json()
        ids |= {c["id"] for c in body["items"]}
        cursor = body["next_cursor"]
        if not cursor:
            return ids


def _followers(client: httpx.Client, ids: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for cid in ids:
        out[cid] = client.get(f"/api/v1/customers/{cid}").json()["userids"]
    return out


async def test_admin_has_everything(api: httpx.Client, as_role: dict[str, httpx.Client]) -> None:
    admin = as_role["admin"]
    assert _all_ids(admin) == _all_ids(api)
    creds = admin.get("/api/v1/settings/wecom").json()
    assert "•" in creds["secret_masked"] and creds["callback_url"].endswith(
        "/wecom/callback/" + creds["wecom_corp_id"]
    )
    assert admin.get("/api/v1/settings/users").status_code == 200
    assert admin.get("/api/v1/settings/audit").status_code == 200


async def test_operator_sees_all_customers_but_no_settings(
    api: httpx.Client, as_role: dict[str, httpx.Client]
) -> None:
    op = as_role["operator"]
    assert _all_ids(op) == _all_ids(api)
    for path in ("/api/v1/settings/wecom", "/api/v1/settings/users", "/api/v1/settings/audit"):
        assert op.get(path).status_code == 403, path
    r = op.post("/api/v1/settings/users", json={"username": "eve", "role": "admin"})
    assert r.status_code == 403
    assert "admin only" in r.json()["detail"]


async def test_staff_sees_only_their_customers(
    api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    staff = as_role["staff"]
    mine = _all_ids(staff)
    everyone = _all_ids(api)
    theirs = {cid for cid, us in _followers(api, everyone).items() if team.staff_userid in us}
    assert mine == theirs and 0 < len(mine) < len(everyone)
    assert staff.get("/api/v1/customers/count").json()["count"] == len(mine)
    other = next(iter(everyone - mine))
    assert staff.get(f"/api/v1/customers/{other}").status_code == 404
    detail = staff.get(f"/api/v1/customers/{next(iter(mine))}").json()
    assert {r["userid"] for r in detail["relations"]} == {team.staff_userid}
    # not their relation, not their corp settings, not tag management, not a sync
    assert staff.get("/api/v1/settings/wecom").status_code == 403
    assert staff.post("/api/v1/tags/groups", json={"name": "x", "tags": ["y"]}).status_code == 403
    assert staff.post("/api/v1/sync").status_code == 403
    dash = staff.get("/api/v1/analytics/dashboard").json()
    assert dash["total_customers"] == len(mine)


async def test_manager_sees_their_department_subtree(
    api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    manager = as_role["manager"]
    me = manager.get("/api/v1/auth/me").json()
    assert set(me["visible_userids"]) == team.manager_scope
    mine = _all_ids(manager)
    everyone = _all_ids(api)
    expected = {
        cid for cid, us in _followers(api, everyone).items() if team.manager_scope & set(us)
    }
    assert mine == expected and len(mine) < len(everyone)
    assert manager.get("/api/v1/settings/users").status_code == 403


async def test_no_session_no_access(siyu: Siyu, team: Team) -> None:
    with httpx.Client(base_url=siyu.url) as anonymous:
        _refused(anonymous)


def _refused(anonymous: httpx.Client) -> None:
    assert anonymous.get("/api/v1/customers").status_code == 401
    anonymous.cookies.set("siyu_session", "eyJ1IjoxfQ.forged.sig")
    assert anonymous.get("/api/v1/auth/me").status_code == 401
