"""Tenancy and roles: another corp never sees the library; staff read it and link for
themselves only; only admins and operators change it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from siyu.core.serving import ThreadedServer
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app
from tests.accounts.conftest import Team
from tests.accounts.conftest import as_role as as_role  # the fixture, re-exported
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import CorpHandle, Sandbox, Siyu, register_corp


@pytest.fixture
def other_sandbox() -> Iterator[Sandbox]:
    cfg = SandboxConfig(employees=2, customers=5, seed=98, corp_id="wwothercorp00000003")
    server = ThreadedServer(create_sandbox_app(cfg)).start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield Sandbox(server, cfg, http)
    server.stop()


def test_another_corp_sees_nothing(
    siyu: Siyu, api: httpx.Client, corp: CorpHandle, db: Database, other_sandbox: Sandbox
) -> None:
    other = asyncio.run(register_corp(db, other_sandbox, name="另一家企业"))
    b = httpx.Client(base_url=siyu.url, headers={"Authorization": f"Bearer {other.api_key}"})
    folder = api.post("/api/v1/content/folders", json={"name": "A 的文件夹"}).json()
    item = api.post(
        "/api/v1/content",
        json={"kind": "link", "title": "A 的素材", "url": "https://a.example", "tags": ["甲"]},
    ).json()
    assert b.get("/api/v1/content").json()["items"] == []
    assert b.get("/api/v1/content/folders").json() == []
    assert b.get("/api/v1/content/tags").json() == []
    assert b.get(f"/api/v1/content/{item['id']}").status_code == 404
    assert b.get(f"/api/v1/content/{item['id']}/stats").status_code == 404
    assert b.patch(f"/api/v1/content/{item['id']}", json={"title": "x"}).status_code == 404
    assert b.delete(f"/api/v1/content/folders/{folder['id']}").status_code == 404
    moved = b.post("/api/v1/content/move", json={"item_ids": [item["id"]], "folder_id": None})
    assert moved.json() == {"moved": 0}
    assert api.get(f"/api/v1/content/{item['id']}").json()["folder_id"] is None
    link = b.post(f"/api/v1/content/{item['id']}/radar-links", json={"userid": "u"})
    assert link.status_code == 404
    b.close()


async def test_roles(as_role: dict[str, httpx.Client], team: Team) -> None:
    op, staff = as_role["operator"], as_role["staff"]
    item = op.post(
        "/api/v1/content", json={"kind": "link", "title": "话术", "url": "https://e.example"}
    )
    assert item.status_code == 201, item.text
    iid = item.json()["id"]
    assert [i["id"] for i in staff.get("/api/v1/content").json()["items"]] == [iid]
    mine = staff.post(f"/api/v1/content/{iid}/radar-links", json={"userid": team.staff_userid})
    assert mine.status_code == 201, mine.text
    theirs = staff.post(f"/api/v1/content/{iid}/radar-links", json={"userid": team.manager_userid})
    assert theirs.status_code == 403 and "yourself" in theirs.json()["detail"]
    for r in (
        staff.post("/api/v1/content", json={"kind": "text", "title": "x", "body": "y"}),
        staff.patch(f"/api/v1/content/{iid}", json={"title": "改"}),
        staff.delete(f"/api/v1/content/{iid}"),
        staff.post("/api/v1/content/folders", json={"name": "员工的"}),
    ):
        assert r.status_code == 403, r.text
    assert op.get(f"/api/v1/content/{iid}").json()["title"] == "话术"
