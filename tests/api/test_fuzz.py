"""No input gets a server error: schemathesis drives every operation of the published OpenAPI
(``/api/openapi.json``) of a running Siyu, signed in with the corp's API key (an integrator:
every route, settings included), and fails on any 5xx.

A few examples per operation (its explicit examples, the schema's boundary values, a handful
of random ones) keep the run within a minute or so on two cores; the run is derandomized so
that CI and a developer see the same cases.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from siyu.api.openapi import document
from siyu.core.serving import ThreadedServer
from siyu.core.settings import get_settings
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app
from tests.conftest import CorpHandle, _wipe, full_sync, register_corp

#: operations that would end the run's own access or cut its WeCom: fuzzed, they would turn
#: every later case into a 401 (or a 502 from WeCom) and test nothing
SELF_DESTRUCTIVE = {
    ("DELETE", "/api/v1/settings/api-keys/{key_id}"),  # revokes the run's own key
    ("PUT", "/api/v1/settings/wecom"),  # points the corp at another WeCom (api_base, secret)
    ("POST", "/api/v1/settings/wecom/regenerate"),  # new callback token: the sandbox's fail
}

#: the segment rule is a recursive schema: schemathesis's coverage phase (boundary values of
#: every property, at collection time) never ends on it; those operations get the examples and
#: random phases, and tests/segments/ test the rule's bounds (depth, size) directly
RULE_BODIES = r"^/api/v1/(segments|rule-tags)(/preview(/members|/export)?|/\{[a-z_]+\})?$"

config = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                "include-path-regex": RULE_BODIES,
                "include-method-regex": "^(POST|PATCH)$",
                "phases": {"coverage": {"enabled": False}},
            }
        ]
    }
)
schema = schemathesis.openapi.from_dict(document(), config=config)
for _method, _path in SELF_DESTRUCTIVE:
    schema = schema.exclude(method=_method, path=_path)


@pytest.fixture(scope="module")
def target(database_url: str) -> Iterator[tuple[str, CorpHandle]]:
    """One synced corp and one running Siyu for the whole module (each operation is a test)."""
    from siyu.api.app import create_app
    from siyu.messaging.queue import huey

    config = SandboxConfig(employees=6, customers=60, seed=3, callback_backoff=0.05)
    sandbox = ThreadedServer(create_sandbox_app(config)).start()
    db = Database.open(database_url, pooled=False)
    huey.flush()
    server = ThreadedServer(create_app(get_settings(), workers=2)).start()
    try:
        from tests.conftest import Sandbox

        with httpx.Client(base_url=sandbox.url, timeout=30) as http:
            sb = Sandbox(sandbox, config, http)
            corp = asyncio.run(register_corp(db, sb))
            asyncio.run(full_sync(db, corp))
            yield server.url, corp
    finally:
        server.stop()
        sandbox.stop()
        _wipe(database_url)


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_gets_a_server_error(case: Any, target: tuple[str, CorpHandle]) -> None:
    url, corp = target
    response = case.call(
        base_url=url, headers={"Authorization": f"Bearer {corp.api_key}"}, timeout=30
    )
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} answered {response.status_code}: "
        f"{response.text[:500]}\nreproduce: {case.as_curl_command()}"
    )
