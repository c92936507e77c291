"""Sessions end: on logout (a copied cookie too), after the idle timeout (sliding), after
seven days at most; a password someone else gave must be changed before anything else."""

from __future__ import annotations

import time
from contextlib import closing
from typing import Any

import httpx
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from siyu.accounts import service as accounts
from siyu.accounts import sessions
from siyu.core import keys
from siyu.corps import service as corps
from siyu.db.session import Database
from tests.accounts.conftest import PASSWORD, SECRET, Team, sign_in
from tests.conftest import Siyu

IDLE = 720 * 60  # the default SIYU_SESSION_IDLE_MINUTES


def _signed_at(data: dict[str, Any], at: float) -> str:
    """A session cookie value as Siyu signs it, with the signing time ``at``."""

    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(at)

    serializer = URLSafeTimedSerializer(
        keys.derive(SECRET, "sessions"), salt="session", signer=Then
    )
    return serializer.dumps(data)


def _payload(client: httpx.Client) -> dict[str, Any]:
    data = sessions.read(SECRET, client.cookies["siyu_session"], idle=IDLE)
    assert data is not None
    return {"u": data.user_id, "e": data.epoch, "c": data.csrf, "s": data.started}


def _me(siyu: Siyu, cookie: str) -> httpx.Response:
    with httpx.Client(base_url=siyu.url, cookies={"siyu_session": cookie}) as c:
        return c.get("/api/v1/auth/me")


async def test_logout_ends_a_copied_cookie(siyu: Siyu, team: Team) -> None:
    with closing(sign_in(siyu, "operator")) as browser:
        copied = browser.cookies["siyu_session"]
        assert _me(siyu, copied).status_code == 200
        r = browser.post("/api/v1/auth/logout")
        assert r.status_code == 204 and "siyu_session" not in browser.cookies
    assert _me(siyu, copied).status_code == 401
    # signing in again works; the sign-out is in the audit log
    with closing(sign_in(siyu, "admin")) as admin:
        log = admin.get("/api/v1/settings/audit", params={"limit": 20}).json()["items"]
    assert any(e["action"] == "POST /api/v1/auth/logout" and e["actor"] == "operator" for e in log)


async def test_idle_timeout_slides(siyu: Siyu, team: Team) -> None:
    with closing(sign_in(siyu, "operator")) as browser:
        data = _payload(browser)
    now = time.time()
    # idle longer than the timeout: refused
    assert _me(siyu, _signed_at(data, now - IDLE - 60)).status_code == 401
    # idle 11 hours: accepted, and signed anew (the idle clock restarts)
    r = _me(siyu, _signed_at(data, now - IDLE + 3600))
    assert r.status_code == 200
    renewed = r.cookies.get("siyu_session")
    assert renewed and sessions.read(SECRET, renewed, idle=120) is not None
    assert "siyu_csrf" in r.cookies  # the same CSRF token, for the same session
    assert r.cookies["siyu_csrf"] == data["c"]
    # used a minute ago: accepted, not signed anew
    r = _me(siyu, _signed_at(data, now - 60))
    assert r.status_code == 200 and "siyu_session" not in r.cookies
    # busy all along but signed in eight days ago: refused
    old = {**data, "s": int(now - 8 * 24 * 3600)}
    assert _me(siyu, _signed_at(old, now - 60)).status_code == 401


async def test_a_given_password_must_be_changed_first(
    siyu: Siyu, db: Database, team: Team, as_role: dict[str, httpx.Client]
) -> None:
    admin = as_role["admin"]
    created = admin.post("/api/v1/settings/users", json={"username": "op3", "role": "operator"})
    assert created.status_code == 201
    given = created.json()["password"]
    with closing(sign_in(siyu, "op3", given)) as op3:
        assert op3.cookies  # signed in
        me = op3.get("/api/v1/auth/me").json()
        assert me["must_change_password"] is True
        for r in (op3.get("/api/v1/customers"), op3.post("/api/v1/tags/groups", json={})):
            assert r.status_code == 403
            assert r.json()["code"] == "password_change_required"
        assert op3.get("/api/v1/auth/session").json()["must_change_password"] is True
        r = op3.post(
            "/api/v1/auth/password",
            json={"current_password": given, "new_password": "op3-own-password"},
        )
        assert r.status_code == 204
        op3.headers["X-Siyu-CSRF"] = op3.cookies["siyu_csrf"]
        assert op3.get("/api/v1/customers").status_code == 200
        assert op3.get("/api/v1/auth/me").json()["must_change_password"] is False
    # a reset (CLI `siyu user reset-password`) sets it again; a password given in a test doesn't
    async with db.unit_of_work() as s:
        corp = await corps.resolve(s, None)
        again = await accounts.reset_password(s, corp.id, "op3")
    with closing(sign_in(siyu, "op3", again)) as op3:
        assert op3.get("/api/v1/customers").json()["code"] == "password_change_required"
    with closing(sign_in(siyu, "staff", PASSWORD)) as staff:
        assert staff.get("/api/v1/auth/me").json()["must_change_password"] is False


async def test_the_first_admin_must_change_the_printed_password(db: Database, team: Team) -> None:
    async with db.unit_of_work() as s:
        corp = await corps.resolve(s, None)
        await accounts.ensure_admin(s, corp.id, username="boss")
        boss = await accounts.create_user(s, corp.id, username="boss2", role="admin")
    assert boss[0].must_change_password
    async with db.unit_of_work() as s:
        users = {u.username: u for u in await accounts.list_users(s, corp.id)}
    assert users["boss"].must_change_password and not users["admin"].must_change_password
