"""Shared fixtures: the database (SQLite, or PostgreSQL with --db=postgres), the WeCom sandbox,
a running Siyu with its embedded worker, a registered corp and an API client.

Environment set here, before any ``siyu`` import: a temporary queue file and a test secret key.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="siyu-tests-"))
os.environ.setdefault("SIYU_QUEUE_URL", f"sqlite:///{_TMP / 'queue.db'}")
os.environ["SIYU_SECRET_KEY"] = "test-secret-key"
os.environ["SIYU_SYNC_INTERVAL_MINUTES"] = "0"
# the deployment's allowlist of WeCom API bases: a closed port some tests use as an unreachable
# WeCom; each sandbox the `sb` fixture starts adds its own URL (settings.allow_api_base)
os.environ["SIYU_WECOM_API_BASES"] = "http://127.0.0.1:9"
os.environ.setdefault("SIYU_DATABASE_URL", f"sqlite:///{_TMP / 'siyu.db'}")

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from siyu.accounts import onboard  # noqa: E402
from siyu.core.serving import ThreadedServer  # noqa: E402
from siyu.core.settings import allow_api_base, get_settings  # noqa: E402
from siyu.db import migrate  # noqa: E402
from siyu.db.base import Base  # noqa: E402
from siyu.db.session import Database  # noqa: E402
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app  # noqa: E402
from tests.support.servers import Postgres, ServerMissing  # noqa: E402

REQUIRE_ALL = os.environ.get("SIYU_REQUIRE_ALL") == "1"
# the `procs` fixture (commands run as separate processes) for every test folder
pytest_plugins = ["tests.support.processes"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("SIYU_TEST_DB", "sqlite"),
        choices=["sqlite", "postgres"],
        help="database the suite runs on",
    )


def need(reason: str) -> None:
    """Skip (or fail under SIYU_REQUIRE_ALL=1) when a server or tool is missing."""
    if REQUIRE_ALL:
        pytest.fail(f"required but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database for the whole session (migrations, never create_all)."""
    if request.config.getoption("--db") == "postgres":
        try:
            pg = Postgres.start()
        except ServerMissing as exc:
            need(str(exc))
        url = pg.url
    else:
        pg = None
        url = f"sqlite:///{_TMP / 'siyu.db'}"
    os.environ["SIYU_DATABASE_URL"] = url
    get_settings.cache_clear()
    migrate.upgrade(url)
    try:
        yield url
    finally:
        if pg is not None:
            pg.stop()


def _wipe(url: str) -> None:
    from sqlalchemy import create_engine, inspect

    from siyu.db.engine import sync_url

    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        present = set(inspect(conn).get_table_names())  # tests/db checks models == migrations
        tables = [t for t in Base.metadata.sorted_tables if t.name in present]
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
    engine.dispose()
    from siyu.events import spool

    path = spool.spool_path(url)  # callbacks acknowledged and not yet moved (SQLite)
    if path is not None and path.exists():
        con = spool.connect(path)
        con.execute("DELETE FROM spooled_events")
        con.close()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The database, emptied after each test (unpooled: usable from any event loop)."""
    database = Database.open(database_url, pooled=False)
    try:
        yield database
    finally:
        _wipe(database_url)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Sandbox:
    server: ThreadedServer
    config: SandboxConfig
    http: httpx.Client

    @property
    def url(self) -> str:
        return self.server.url

    def act(self, actor: str, **body: Any) -> dict[str, Any]:
        """Run a sandbox actor and wait until its callback was delivered (or gave up)."""
        r = self.http.post(f"/sandbox/actors/{actor}", params={"wait": "true"}, json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def get(self, path: str, **params: Any) -> Any:
        r = self.http.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    def put(self, path: str, body: dict[str, Any]) -> Any:
        r = self.http.put(path, json=body)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(
        employees=6, customers=60, seed=3, callback_backoff=0.05, callback_timeout=5.0
    )


@pytest.fixture
def sb(sandbox_config: SandboxConfig) -> Iterator[Sandbox]:
    """A fresh WeCom sandbox over real HTTP."""
    server = ThreadedServer(create_sandbox_app(sandbox_config)).start()
    allowed = os.environ["SIYU_WECOM_API_BASES"]
    allow_api_base(server.url)  # as `siyu demo` does: the deployment allows its sandbox
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            yield Sandbox(server, sandbox_config, http)
    finally:
        os.environ["SIYU_WECOM_API_BASES"] = allowed
        get_settings.cache_clear()
        server.stop()


@dataclass
class Siyu:
    server: ThreadedServer
    db: Database

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture
def siyu(request: pytest.FixtureRequest, db: Database, database_url: str) -> Iterator[Siyu]:
    """Siyu served over real HTTP with its embedded worker threads."""
    from siyu.api.app import create_app
    from siyu.messaging.queue import huey

    if "sb" in request.fixturenames:
        # Start the sandbox first so that it is stopped after Siyu: a job still running when
        # the test ends (an app message, a tag write) reaches WeCom instead of retrying against
        # a closed port while the server's shutdown waits for it.
        request.getfixturevalue("sb")

    huey.flush()  # jobs left over from earlier tests point at wiped rows
    app = create_app(get_settings(), workers=2)
    server = ThreadedServer(app).start()
    try:
        yield Siyu(server, db)
    finally:
        server.stop()


@dataclass
class CorpHandle:
    id: int
    wecom_corp_id: str
    api_key: str


async def register_corp(db: Database, sandbox: Sandbox, *, name: str = "测试企业") -> CorpHandle:
    from siyu.corps import service as corps

    cfg = sandbox.config
    allow_api_base(sandbox.url)  # the deployment setting: a sandbox this test started
    async with db.unit_of_work() as s:
        corp = await onboard.add_corp(
            s,
            secret_key=get_settings().secret_key.get_secret_value(),
            name=name,
            wecom_corp_id=cfg.corp_id,
            secret=cfg.secret,
            token=cfg.token,
            aes_key=cfg.aes_key,
            api_base=sandbox.url,
            agent_id=cfg.agent_id,
        )
        key = await corps.create_api_key(s, corp, name="test")
        return CorpHandle(corp.id, corp.wecom_corp_id, key)


@pytest.fixture
def corp(db: Database, sb: Sandbox) -> CorpHandle:
    """The sandbox registered as a corp in Siyu (not synced yet)."""
    return asyncio.run(register_corp(db, sb))


@pytest.fixture
def api(siyu: Siyu, corp: CorpHandle) -> Iterator[httpx.Client]:
    """An HTTP client of Siyu's REST API authenticated with the corp's API key."""
    with httpx.Client(
        base_url=siyu.url, timeout=30, headers={"Authorization": f"Bearer {corp.api_key}"}
    ) as client:
        yield client


def wait_for(
    predicate: Callable[[], Any], *, timeout: float = 20.0, what: str = "condition"
) -> Any:
    """Poll until ``predicate()`` is truthy (work done by another thread or process)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test may use the async fixtures (anyio runs them on asyncio)."""
    for item in items:
        item.add_marker(pytest.mark.anyio)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``sqlite_only(reason)``, and tests whose fixtures never reach the suite's
    database (no ``database_url``), run in the SQLite pass and are skipped in the PostgreSQL
    one, which would repeat them as is. Skipped here, not by a mark added at collection: anyio
    replaces each ``async def`` test by new items after collection, which drop marks added to
    the old ones."""
    if item.config.getoption("--db") != "postgres":
        return
    mark = item.get_closest_marker("sqlite_only")
    if mark is not None:
        pytest.skip(f"runs on SQLite only: {mark.args[0]}")
    # a test that never asks for the suite's database (unit tests, the sandbox alone, commands
    # run on a database of their own) would repeat the SQLite pass as is
    if "database_url" not in getattr(item, "fixturenames", ()):
        pytest.skip("uses no database of the suite: runs in the SQLite pass only")


async def full_sync(db: Database, corp: CorpHandle) -> Any:
    """Run a full sync of the corp in this process (as `siyu sync` does)."""
    from siyu.corps import service as corps
    from siyu.sync import service as sync

    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        run = await sync.start_or_resume(s, c, trigger="test")
    async with corps.wecom_client(
        c, secret_key=get_settings().secret_key.get_secret_value()
    ) as client:
        return await sync.run_full_sync(db, corp.id, run.id, client)


@pytest.fixture
def live(siyu: Siyu, corp: CorpHandle, sb: Sandbox, db: Database) -> CorpHandle:
    """A synced corp whose sandbox delivers its callbacks to the running Siyu."""
    asyncio.run(full_sync(db, corp))
    sb.put("/sandbox/config", {"callback_url": f"{siyu.url}/wecom/callback/{corp.wecom_corp_id}"})
    return corp


def events_settled(db: Database, timeout: float = 30.0) -> None:
    """Wait until the worker has processed every stored callback event."""
    from sqlalchemy import func, select

    from siyu.events import spool
    from siyu.events.models import InboundEvent

    async def pending() -> int:
        async with db.unit_of_work() as s:
            stmt = (
                select(func.count())
                .select_from(InboundEvent)
                .where(InboundEvent.status == "pending")
            )
            return int(await s.scalar(stmt) or 0)

    def settled() -> bool:  # nothing left in the callback spool (SQLite), nothing pending
        return spool.count(db.url) == 0 and asyncio.run(pending()) == 0

    wait_for(settled, timeout=timeout, what="events to be processed")
