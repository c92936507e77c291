"""Data scope per role (issue 14 point 13): a customer followed by a staff member and by
employees out of their scope shows, to the staff member (and a manager), only the visible
employees' relations: followers, remarks, descriptions, tags and timeline entries; in the
detail, the list and the export alike. Admin and operator see everything."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from tests.accounts.conftest import Team
from tests.accounts.conftest import as_role as as_role  # the fixture, re-exported
from tests.accounts.conftest import team as team  # the fixture, re-exported


def _ids(client: httpx.Client) -> set[int]:
    ids: set[int] = set()
    cursor = None
    while True:
        r = client.get("/api/v1/customers", params={"limit": 500, "cursor": cursor})
        assert r.status_code == 200, r.text
        ids |= {c["id"] for c in r.json()["items"]}
        cursor = r.json()["next_cursor"]
        if not cursor:
            return ids


def _shared(api: httpx.Client, me: str, scope: set[str]) -> dict[str, Any]:
    """The full detail of a customer followed by ``me`` and by someone out of ``scope``."""
    for cid in sorted(_ids(api)):
        d = api.get(f"/api/v1/customers/{cid}").json()
        us = set(d["userids"])
        if me in us and us - scope:
            return d
    raise AssertionError(f"no customer of {me} is shared with an employee out of their scope")


def _check_scoped(view: dict[str, Any], full: dict[str, Any], scope: set[str]) -> None:
    shown = {r["userid"] for r in view["relations"]}
    assert shown == {r["userid"] for r in full["relations"]} & scope
    assert set(view["userids"]) == set(full["userids"]) & scope
    assert len(view["employee_names"]) == len(view["userids"])
    mine = [r for r in full["relations"] if r["userid"] in scope and r["deleted_at"] is None]
    assert sorted(view["remarks"]) == sorted(r["remark"] for r in mine if r["remark"])
    assert {t["tag_id"] for t in view["tags"]} == {t["tag_id"] for r in mine for t in r["tags"]}
    hidden = {r["userid"] for r in full["relations"]} - scope
    assert hidden, "the customer must have relations out of scope"
    assert all(e["userid"] in scope or e["userid"] == "" for e in view["timeline"])
    assert {e["id"] for e in view["timeline"]} == {
        e["id"] for e in full["timeline"] if e["userid"] in scope or e["userid"] == ""
    }
    # the out-of-scope employees' entries existed (their adds), and are gone
    assert any(e["userid"] in hidden for e in full["timeline"])


async def test_staff_sees_only_their_relation_of_a_shared_customer(
    api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    scope = {team.staff_userid}
    full = _shared(api, team.staff_userid, scope)
    staff = as_role["staff"]
    view = staff.get(f"/api/v1/customers/{full['id']}").json()
    _check_scoped(view, full, scope)
    # by external id (the sidebar's read) too
    ext = staff.get(f"/api/v1/customers/by-external/{full['external_userid']}").json()
    _check_scoped(ext, full, scope)
    # the list's row
    rows = staff.get("/api/v1/customers", params={"limit": 500}).json()["items"]
    row = next(c for c in rows if c["id"] == full["id"])
    assert set(row["userids"]) == {team.staff_userid}
    assert sorted(row["remarks"]) == sorted(view["remarks"])
    assert {t["tag_id"] for t in row["tags"]} == {t["tag_id"] for t in view["tags"]}
    # the export's row: one follower, that employee's remark only
    r = staff.get("/api/v1/customers/export", params={"format": "csv"})
    assert r.status_code == 200, r.text
    lines = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    header, body = lines[0], lines[1:]
    line = next(x for x in body if x[0] == str(full["id"]))
    followers = line[header.index("跟进员工")]
    assert followers == view["employee_names"][0]
    for other in full["relations"]:
        if other["userid"] not in scope and other["remark"]:
            assert other["remark"] not in line[header.index("备注")]


async def test_manager_sees_only_their_subtree_relations(
    api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    scope = set(team.manager_scope)
    for cid in sorted(_ids(as_role["manager"])):
        full = api.get(f"/api/v1/customers/{cid}").json()
        if set(full["userids"]) - scope:
            view = as_role["manager"].get(f"/api/v1/customers/{cid}").json()
            _check_scoped(view, full, scope)
            return
    raise AssertionError("no customer of the manager's scope is shared outside it")


async def test_admin_and_operator_see_every_relation(
    api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    full = _shared(api, team.staff_userid, {team.staff_userid})
    for role in ("admin", "operator"):
        view = as_role[role].get(f"/api/v1/customers/{full['id']}").json()
        assert view["relations"] == full["relations"]
        assert view["userids"] == full["userids"] and view["remarks"] == full["remarks"]
        assert [e["id"] for e in view["timeline"]] == [e["id"] for e in full["timeline"]]
