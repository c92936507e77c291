"""Failed sign-ins are audited and throttled per username and per IP (429 with Retry-After,
growing); argon2 runs in worker threads, never on the event loop."""

from __future__ import annotations

import threading
from contextlib import closing
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from siyu.accounts import service
from siyu.accounts.models import AuditEntry
from siyu.db.session import Database
from tests.accounts.conftest import PASSWORD, Team, sign_in
from tests.conftest import Siyu


def _login(siyu: Siyu, username: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=siyu.url, timeout=30) as c:
        return c.post("/api/v1/auth/login", json={"username": username, "password": password})


async def _age_failures(db: Database, by: timedelta) -> None:
    """Move the recorded failures back in time (as if ``by`` had passed)."""
    async with db.unit_of_work() as s:
        for entry in await s.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
        ):
            entry.at -= by


async def test_the_sixth_bad_password_waits(siyu: Siyu, db: Database, team: Team) -> None:
    for _ in range(5):
        assert _login(siyu, "operator", "wrong-password").status_code == 403
    r = _login(siyu, "operator", PASSWORD)  # even the right one: not checked now
    assert r.status_code == 429 and r.json()["code"] == "throttled"
    assert 0 < int(r.headers["Retry-After"]) <= 60
    # another user is not locked out by the operator's failures
    assert _login(siyu, "staff", PASSWORD).status_code == 200

    with closing(sign_in(siyu, "admin")) as admin:
        log = admin.get("/api/v1/settings/audit", params={"limit": 50}).json()["items"]
    failed = [e for e in log if e["action"] == "auth.login_failed"]
    assert len(failed) == 5  # the throttled attempt is not one more failure
    assert {(e["actor"], e["ip"]) for e in failed} == {("operator", "127.0.0.1")}
    assert "wrong-password" not in str(log)

    # the lock has passed: the right password works, and the count starts again
    await _age_failures(db, timedelta(minutes=2))
    assert _login(siyu, "operator", PASSWORD).status_code == 200
    assert _login(siyu, "operator", "wrong-password").status_code == 403


async def test_the_wait_grows(siyu: Siyu, db: Database, team: Team) -> None:
    for _ in range(5):
        assert _login(siyu, "manager", "wrong-password").status_code == 403
    assert _login(siyu, "manager", "wrong-password").status_code == 429
    await _age_failures(db, timedelta(minutes=2))
    assert _login(siyu, "manager", "wrong-password").status_code == 403  # the 6th failure
    r = _login(siyu, "manager", PASSWORD)
    assert r.status_code == 429 and 60 < int(r.headers["Retry-After"]) <= 120
    # a quarter of an hour later nothing counts any more
    await _age_failures(db, timedelta(minutes=16))
    assert _login(siyu, "manager", PASSWORD).status_code == 200


async def test_one_ip_trying_many_usernames_waits(siyu: Siyu, team: Team) -> None:
    for i in range(20):
        assert _login(siyu, f"guess{i}", "wrong-password").status_code == 403
    r = _login(siyu, "guess-new", "wrong-password")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


class _Spy:
    """The real argon2 hasher, noting the thread each verification runs on."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.threads: list[str] = []

    def verify(self, hash: str, password: str) -> bool:
        self.threads.append(threading.current_thread().name)
        return bool(self.real.verify(hash, password))

    def hash(self, password: str) -> str:
        self.threads.append(threading.current_thread().name)
        return str(self.real.hash(password))


async def test_argon2_runs_off_the_event_loop(
    siyu: Siyu, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _Spy(service._hasher)
    monkeypatch.setattr(service, "_hasher", spy)
    assert _login(siyu, "ghost", "wrong-password").status_code == 403  # the dummy hash
    with closing(sign_in(siyu, "staff")) as staff:
        r = staff.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": "staff-new-password"},
        )
        assert r.status_code == 204
    assert len(spy.threads) == 4  # ghost, sign-in, current password, new hash
    assert all(name.startswith("siyu-argon2") for name in spy.threads), spy.threads
