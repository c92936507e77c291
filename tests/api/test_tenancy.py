"""API keys: required, and each sees only its own corp."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from siyu.core.serving import ThreadedServer
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app
from tests.conftest import CorpHandle, Sandbox, Siyu, full_sync, register_corp


@pytest.fixture
def other_sandbox() -> Iterator[Sandbox]:
    cfg = SandboxConfig(employees=4, customers=30, seed=99, corp_id="wwothercorp00000002")
    server = ThreadedServer(create_sandbox_app(cfg)).start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield Sandbox(server, cfg, http)
    server.stop()


def test_keys_are_required(siyu: Siyu) -> None:
    assert httpx.get(f"{siyu.url}/api/v1/customers", timeout=30).status_code == 401
    bad = httpx.get(
        f"{siyu.url}/api/v1/customers", headers={"Authorization": "Bearer sy_nope"}, timeout=30
    )
    assert bad.status_code == 401
    assert httpx.get(f"{siyu.url}/healthz", timeout=30).json()["status"] == "ok"


def test_each_key_sees_only_its_corp(
    siyu: Siyu, corp: CorpHandle, db: Database, other_sandbox: Sandbox
) -> None:
    other = asyncio.run(register_corp(db, other_sandbox, name="另一家企业"))
    asyncio.run(full_sync(db, corp))
    asyncio.run(full_sync(db, other))
    a = httpx.Client(base_url=siyu.url, headers={"Authorization": f"Bearer {corp.api_key}"})
    b = httpx.Client(base_url=siyu.url, headers={"Authorization": f"Bearer {other.api_key}"})
    a_customers = a.get("/api/v1/customers", params={"limit": 500}).json()["items"]
    b_customers = b.get("/api/v1/customers", params={"limit": 500}).json()["items"]
    assert len(b_customers) == 30 and len(a_customers) > 30
    assert not {c["id"] for c in a_customers} & {c["id"] for c in b_customers}
    assert b.get(f"/api/v1/customers/{a_customers[0]['id']}").status_code == 404
    a_emps = {
        e["userid"] for e in a.get("/api/v1/employees", params={"limit": 500}).json()["items"]
    }
    b_emps = {
        e["userid"] for e in b.get("/api/v1/employees", params={"limit": 500}).json()["items"]
    }
    assert len(b_emps) == 4 and len(a_emps) == 6
    a_groups = a.get("/api/v1/groups").json()["items"]
    if a_groups:
        assert b.get(f"/api/v1/groups/{a_groups[0]['chat_id']}").status_code == 404
    a_tags = {t["tag_id"] for g in a.get("/api/v1/tags/groups").json() for t in g["tags"]}
    b_tags = {t["tag_id"] for g in b.get("/api/v1/tags/groups").json() for t in g["tags"]}
    assert a_tags and b_tags and not a_tags & b_tags
    tag = next(iter(a_tags))
    refused = b.post(
        "/api/v1/tags/batch", json={"add": [tag], "customer_ids": [b_customers[0]["id"]]}
    )
    assert refused.status_code == 422  # another corp's tag is unknown here
    a_runs = a.get("/api/v1/sync/runs").json()
    assert b.get(f"/api/v1/sync/runs/{a_runs[0]['id']}").status_code == 404
    count_b = b.get("/api/v1/customers/count").json()["count"]
    assert count_b == 30
    a.close()
    b.close()
