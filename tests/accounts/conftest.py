"""Fixtures: a synced corp with one console user per role, and signed-in HTTP clients."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from siyu.accounts import service as accounts
from siyu.corps import service as corps
from siyu.db.session import Database
from siyu.employees.models import Department, Employee
from siyu.sync import service as sync
from tests.conftest import CorpHandle, Siyu

SECRET = "test-secret-key"
PASSWORD = "correct-horse-battery"


@dataclass
class Team:
    corp: CorpHandle
    staff_userid: str
    manager_userid: str
    manager_scope: set[str]


async def sync_corp(db: Database, corp: CorpHandle) -> None:
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        run = await sync.start_or_resume(s, c, trigger="test")
    async with corps.wecom_client(c, secret_key=SECRET) as client:
        await sync.run_full_sync(db, corp.id, run.id, client)


@pytest.fixture
async def team(db: Database, corp: CorpHandle) -> Team:
    """The corp synced, with users admin / operator / manager / staff (password PASSWORD)."""
    await sync_corp(db, corp)
    async with db.unit_of_work() as s:
        emps = list((await s.scalars(select(Employee).order_by(Employee.userid))).all())
        parents = {d.dept_id: d.parent_id for d in (await s.scalars(select(Department))).all()}
        # the manager heads the department of the first employee in a non-root department
        manager = next(e for e in emps if any(parents.get(d) is not None for d in e.department_ids))
        subtree = set(manager.department_ids)
        while True:
            more = {d for d, p in parents.items() if p in subtree} - subtree
            if not more:
                break
            subtree |= more
        scope = {e.userid for e in emps if subtree & set(e.department_ids)}
        staff = next(e for e in emps if e.userid != manager.userid)
        for username, role, userid in [
            ("admin", "admin", None),
            ("operator", "operator", None),
            ("manager", "manager", manager.userid),
            ("staff", "staff", staff.userid),
        ]:
            await accounts.create_user(
                s, corp.id, username=username, role=role, userid=userid, password=PASSWORD
            )
    return Team(corp, staff.userid, manager.userid, scope)


def sign_in(siyu: Siyu, username: str, password: str = PASSWORD) -> httpx.Client:
    """An HTTP client signed in as ``username``, sending the CSRF header like the console."""
    client = httpx.Client(base_url=siyu.url, timeout=30)
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-Siyu-CSRF"] = client.cookies["siyu_csrf"]
    return client


@pytest.fixture
def as_role(siyu: Siyu, team: Team) -> Iterator[dict[str, httpx.Client]]:
    clients = {name: sign_in(siyu, name) for name in ("admin", "operator", "manager", "staff")}
    yield clients
    for c in clients.values():
        c.close()
