"""Sessions, CSRF, WeCom sign-in, password change, settings, audit log, notes, scoped tagging."""

from __future__ import annotations

from contextlib import closing
from urllib.parse import parse_qs, urlparse

import httpx

from siyu.wecom.crypto import aes_key_bytes
from tests.accounts.conftest import PASSWORD, Team, sign_in
from tests.conftest import Sandbox, Siyu


def _ids(client: httpx.Client) -> list[int]:
    return [c["id"] for c in client.get("/api/v1/customers", params={"limit": 500}).json()["items"]]


async def test_csrf_header_is_required_for_cookie_writes(
    siyu: Siyu, as_role: dict[str, httpx.Client]
) -> None:
    admin = as_role["admin"]
    header = admin.headers.pop("X-Siyu-CSRF")
    r = admin.post("/api/v1/settings/api-keys", json={"name": "ci"})
    assert r.status_code == 403 and "X-Siyu-CSRF" in r.json()["detail"]
    admin.headers["X-Siyu-CSRF"] = "wrong"
    assert admin.post("/api/v1/settings/api-keys", json={"name": "ci"}).status_code == 403
    admin.headers["X-Siyu-CSRF"] = header
    assert admin.post("/api/v1/settings/api-keys", json={"name": "ci"}).status_code == 201
    session_cookie = admin.cookies["siyu_session"]
    assert "siyu_session" in str(admin.get("/api/v1/auth/me").request.headers.get("cookie"))
    assert session_cookie


def _login_cookie_flags(siyu: Siyu) -> str:
    with httpx.Client(base_url=siyu.url) as c:
        r = c.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        return ";".join(r.headers.get_list("set-cookie"))


async def test_login_cookies_and_wrong_password(siyu: Siyu, team: Team) -> None:
    flags = _login_cookie_flags(siyu).lower()
    assert "siyu_session=" in flags and "httponly" in flags and "samesite=lax" in flags
    with httpx.Client(base_url=siyu.url) as c:
        r = c.post("/api/v1/auth/login", json={"username": "admin", "password": "nope-nope"})
        assert r.status_code == 403
        r = c.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope-nope"})
        assert r.status_code == 403


async def test_password_change_ends_other_sessions(siyu: Siyu, team: Team) -> None:
    with closing(sign_in(siyu, "operator")) as first, closing(sign_in(siyu, "operator")) as second:
        _change_password(siyu, first, second)


def _change_password(siyu: Siyu, first: httpx.Client, second: httpx.Client) -> None:
    r = first.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-new-password-1"},
    )
    assert r.status_code == 204
    assert second.get("/api/v1/auth/me").status_code == 401
    first.headers["X-Siyu-CSRF"] = first.cookies["siyu_csrf"]
    assert first.get("/api/v1/auth/me").json()["name"] == "operator"
    with closing(sign_in(siyu, "operator", "a-new-password-1")) as third:
        assert third.get("/api/v1/auth/me").status_code == 200
    first.post("/api/v1/auth/logout")
    first.cookies.clear()
    assert first.get("/api/v1/auth/me").status_code == 401


def _wecom_sign_in(siyu: Siyu, sb: Sandbox, userid: str) -> httpx.Client:
    client = httpx.Client(base_url=siyu.url, timeout=30)
    start = client.get("/api/v1/auth/wecom/start", params={"next": "/sidebar"})
    assert start.status_code == 302
    authorize = httpx.get(start.headers["location"])  # the sandbox's member picker
    assert authorize.status_code == 200 and f'data-userid="{userid}"' in authorize.text
    redirect_uri = parse_qs(urlparse(start.headers["location"]).query)["redirect_uri"][0]
    state = parse_qs(urlparse(start.headers["location"]).query)["state"][0]
    pick = httpx.get(
        f"{sb.url}/sandbox/oauth/approve",
        params={"userid": userid, "redirect_uri": redirect_uri, "state": state},
    )
    assert pick.status_code == 302
    back = client.get(pick.headers["location"])
    assert back.status_code == 302 and back.headers["location"] == "/sidebar"
    client.headers["X-Siyu-CSRF"] = client.cookies["siyu_csrf"]
    return client


async def test_wecom_sign_in_links_the_employee_as_staff(
    siyu: Siyu, sb: Sandbox, team: Team
) -> None:
    userid = team.manager_userid  # already linked to the manager user: signs in as manager
    with closing(_wecom_sign_in(siyu, sb, userid)) as linked:
        me = linked.get("/api/v1/auth/me").json()
    assert me["role"] == "manager" and me["userid"] == userid
    other = next(
        e["userid"]
        for e in sb.get("/sandbox/employees")
        if e["userid"] not in (team.manager_userid, team.staff_userid)
    )
    with closing(_wecom_sign_in(siyu, sb, other)) as fresh:
        me = fresh.get("/api/v1/auth/me").json()
    assert me["role"] == "staff" and me["userid"] == other and me["visible_userids"] == [other]
    # a used code is refused by the sandbox, so replaying the callback fails
    with httpx.Client(base_url=siyu.url) as c:
        assert c.get("/api/v1/auth/wecom/callback?code=x&state=forged").status_code == 403


async def test_settings_and_audit_log(siyu: Siyu, as_role: dict[str, httpx.Client]) -> None:
    admin = as_role["admin"]
    before = admin.get("/api/v1/settings/wecom").json()
    after = admin.post("/api/v1/settings/wecom/regenerate", json={"token": True}).json()
    assert after["token"] != before["token"] and after["aes_key"] != before["aes_key"]
    assert len(aes_key_bytes(after["aes_key"])) == 32
    r = admin.put("/api/v1/settings/wecom", json={"secret": "new-secret-value-123"})
    assert r.status_code == 200 and r.json()["secret_masked"].endswith("-123")
    created = admin.post(
        "/api/v1/settings/users", json={"username": "op2", "role": "operator"}
    ).json()
    assert len(created["password"]) >= 12
    r = admin.patch(f"/api/v1/settings/users/{created['id']}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    key = admin.post("/api/v1/settings/api-keys", json={"name": "ci"}).json()
    assert admin.delete(f"/api/v1/settings/api-keys/{key['id']}").json()["revoked_at"]
    with httpx.Client(base_url=siyu.url) as c:
        c.headers["Authorization"] = f"Bearer {key['key']}"
        assert c.get("/api/v1/customers").status_code == 401

    log = admin.get("/api/v1/settings/audit", params={"limit": 100}).json()["items"]
    actions = [e["action"] for e in log]
    for action in (
        "settings.wecom.regenerate",
        "settings.wecom.update",
        "settings.user.create",
        "settings.user.update",
        "settings.api_key.create",
        "settings.api_key.revoke",
        "auth.login",
    ):
        assert action in actions, action
    update = next(e for e in log if e["action"] == "settings.wecom.update")
    assert update["actor"] == "admin" and update["before"]["secret"] != update["after"]["secret"]
    assert "new-secret-value-123" not in str(update)  # secrets are masked in the log
    disabled = next(e for e in log if e["action"] == "settings.user.update")
    assert disabled["before"]["active"] is True and disabled["after"]["active"] is False
    page = admin.get("/api/v1/settings/audit", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    filtered = admin.get("/api/v1/settings/audit", params={"action": "api_key"}).json()["items"]
    assert {e["action"] for e in filtered} == {"settings.api_key.create", "settings.api_key.revoke"}


async def test_other_writes_are_audited_and_notes_scoped(
    as_role: dict[str, httpx.Client], team: Team
) -> None:
    staff, admin = as_role["staff"], as_role["admin"]
    mine = _ids(staff)
    r = staff.post(f"/api/v1/customers/{mine[0]}/notes", json={"text": "客户想了解年卡优惠"})
    assert r.status_code == 201 and r.json()["kind"] == "note"
    detail = staff.get(f"/api/v1/customers/{mine[0]}").json()
    assert detail["timeline"][0]["data"]["text"] == "客户想了解年卡优惠"
    hidden = next(i for i in _ids(admin) if i not in set(_ids(staff)))
    assert staff.post(f"/api/v1/customers/{hidden}/notes", json={"text": "x"}).status_code == 404
    log = admin.get("/api/v1/settings/audit", params={"actor": "staff"}).json()["items"]
    assert log[0]["action"] == "POST /api/v1/customers/{customer_id}/notes"
    assert log[0]["target"] == f"/api/v1/customers/{mine[0]}/notes"


async def test_staff_batch_tags_only_their_customers(
    as_role: dict[str, httpx.Client], team: Team
) -> None:
    staff, admin = as_role["staff"], as_role["admin"]
    tag = admin.get("/api/v1/tags/groups").json()[0]["tags"][0]["tag_id"]
    mine = _ids(staff)
    hidden = next(i for i in _ids(admin) if i not in set(mine))
    r = staff.post("/api/v1/tags/batch", json={"add": [tag], "customer_ids": [hidden]})
    assert r.status_code == 403
    r = staff.post("/api/v1/tags/batch", json={"add": [tag], "filter": {}})
    assert r.status_code == 403
    r = staff.post("/api/v1/tags/batch", json={"add": [tag], "customer_ids": mine[:1]})
    assert r.status_code == 202, r.text
    groups = staff.get("/api/v1/groups").json()["items"]
    assert all(g["owner"] == team.staff_userid for g in groups)
