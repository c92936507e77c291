"""Two corps share one Siyu: signing in asks which corp instead of failing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from siyu.accounts import service as accounts
from siyu.core.serving import ThreadedServer
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app
from tests.accounts.conftest import PASSWORD, Team
from tests.conftest import CorpHandle, Sandbox, Siyu, register_corp


@pytest.fixture
def second_sandbox() -> Iterator[Sandbox]:
    cfg = SandboxConfig(employees=3, customers=5, seed=7, corp_id="wwsecondcorp0000002")
    server = ThreadedServer(create_sandbox_app(cfg)).start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield Sandbox(server, cfg, http)
    server.stop()


@pytest.fixture
async def second(db: Database, second_sandbox: Sandbox, team: Team) -> CorpHandle:
    """A second corp, 分公司, with an admin of the same username as the first corp's."""
    other = await register_corp(db, second_sandbox, name="分公司")
    async with db.unit_of_work() as s:
        await accounts.create_user(
            s, other.id, username="admin", role="admin", userid=None, password="another-pw-1"
        )
    return other


async def test_sign_in_names_the_corp(siyu: Siyu, team: Team, second: CorpHandle) -> None:
    with httpx.Client(base_url=siyu.url, timeout=30) as c:
        choices = c.get("/api/v1/auth/corps").json()
        assert [x["name"] for x in choices] == ["测试企业", "分公司"]
        # without a corp the sign-in says what to do, in a sentence
        r = c.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        assert r.status_code == 422 and "several corps" in r.json()["detail"]
        # the same username in each corp is a different person
        r = c.post(
            "/api/v1/auth/login",
            json={"username": "admin", "password": "another-pw-1", "corp": second.wecom_corp_id},
        )
        assert r.status_code == 200 and r.json()["corp_name"] == "分公司"
        c.cookies.clear()
        r = c.post(
            "/api/v1/auth/login",
            json={"username": "admin", "password": "another-pw-1", "corp": team.corp.wecom_corp_id},
        )
        assert r.status_code == 403  # that password belongs to the other corp's admin


async def test_wecom_sign_in_asks_for_the_corp_or_takes_it_from_the_url(
    siyu: Siyu, second: CorpHandle, second_sandbox: Sandbox
) -> None:
    with closing(httpx.Client(base_url=siyu.url, timeout=30)) as c:
        unnamed = c.get("/api/v1/auth/wecom/start", params={"next": "/sidebar"})
        assert unnamed.status_code == 302
        target = urlparse(unnamed.headers["location"])
        assert target.path == "/login"
        assert parse_qs(target.query) == {"next": ["/sidebar"], "wecom": ["1"]}
        named = c.get(
            "/api/v1/auth/wecom/start",
            params={"next": "/sidebar", "corp": second.wecom_corp_id},
        )
        assert named.status_code == 302
        assert named.headers["location"].startswith(second_sandbox.url)
        assert parse_qs(urlparse(named.headers["location"]).query)["appid"] == [
            second.wecom_corp_id
        ]
