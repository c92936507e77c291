"""Data scope of radar links (issue 14 point 13): a manager or staff member makes a tracked
link for a customer their employee follows, never for a customer out of their scope."""

from __future__ import annotations

import httpx

from tests.accounts.conftest import Team
from tests.accounts.conftest import as_role as as_role  # the fixture, re-exported
from tests.accounts.conftest import team as team  # the fixture, re-exported


def _ids(client: httpx.Client) -> set[int]:
    r = client.get("/api/v1/customers", params={"limit": 500})
    assert r.status_code == 200 and r.json()["next_cursor"] is None
    return {c["id"] for c in r.json()["items"]}


async def test_radar_links_per_role(
    api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    item = as_role["operator"].post(
        "/api/v1/content", json={"kind": "link", "title": "新品介绍", "url": "https://e.example"}
    )
    assert item.status_code == 201, item.text
    path = f"/api/v1/content/{item.json()['id']}/radar-links"
    everyone = _ids(api)
    staff_ids, manager_ids = _ids(as_role["staff"]), _ids(as_role["manager"])
    outside_staff = min(everyone - staff_ids)
    outside_manager = min(everyone - manager_ids)
    me = team.staff_userid
    # staff: their own customers, not another employee's
    ok = as_role["staff"].post(path, json={"userid": me, "customer_id": min(staff_ids)})
    assert ok.status_code == 201, ok.text
    r = as_role["staff"].post(path, json={"userid": me, "customer_id": outside_staff})
    assert r.status_code == 404, r.text
    # manager: for an employee of their scope and that employee's customer only
    boss = team.manager_userid
    theirs = as_role["manager"].get("/api/v1/customers", params={"userid": boss}).json()
    if theirs["items"]:
        cid = theirs["items"][0]["id"]
        assert as_role["manager"].post(path, json={"userid": boss, "customer_id": cid}).is_success
    r = as_role["manager"].post(path, json={"userid": boss, "customer_id": outside_manager})
    assert r.status_code == 404, r.text
    # full access: any customer
    for role in ("admin", "operator"):
        r = as_role[role].post(path, json={"userid": me, "customer_id": outside_staff})
        assert r.status_code == 201, r.text
