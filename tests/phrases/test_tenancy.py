"""Another corp never sees, uses, files into or reorders a corp's reply library."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from siyu.core.serving import ThreadedServer
from siyu.db.session import Database
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app
from tests.conftest import CorpHandle, Sandbox, Siyu, register_corp
from tests.phrases.conftest import made, phrase, png


@pytest.fixture
def other_sandbox() -> Iterator[Sandbox]:
    cfg = SandboxConfig(employees=2, customers=5, seed=97, corp_id="wwothercorp00000015")
    server = ThreadedServer(create_sandbox_app(cfg)).start()
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield Sandbox(server, cfg, http)
    server.stop()


def test_another_corp_sees_nothing(
    siyu: Siyu, api: httpx.Client, corp: CorpHandle, db: Database, other_sandbox: Sandbox
) -> None:
    other = asyncio.run(register_corp(db, other_sandbox, name="另一家企业"))
    b = httpx.Client(base_url=siyu.url, headers={"Authorization": f"Bearer {other.api_key}"})
    folder = made(api.post("/api/v1/phrases/folders", json={"name": "A 的文件夹"}))
    img = made(api.post("/api/v1/phrases/images", files={"file": ("a.png", png(), "image/png")}))
    pic = phrase(api, kind="image", title="A 的图片", file_id=img["file_id"])
    text = phrase(api, title="A 的话术", folder_id=folder["id"])
    made(api.post(f"/api/v1/phrases/{text['id']}/used"), 200)

    assert b.get("/api/v1/phrases").json()["items"] == []
    assert b.get("/api/v1/phrases", params={"keyword": "A 的"}).json()["items"] == []
    assert b.get("/api/v1/phrases/folders").json() == []
    assert b.get("/api/v1/phrases/stats").json()["total"] == 0
    for path in (f"/api/v1/phrases/{text['id']}", f"/api/v1/phrases/{pic['id']}/image"):
        assert b.get(path).status_code == 404
    assert b.post(f"/api/v1/phrases/{text['id']}/used").status_code == 404
    assert b.post(f"/api/v1/phrases/{pic['id']}/wecom-media").status_code == 404
    assert b.patch(f"/api/v1/phrases/{text['id']}", json={"title": "x"}).status_code == 404
    assert b.delete(f"/api/v1/phrases/{text['id']}").status_code == 404
    assert b.put("/api/v1/phrases/order", json={"ids": [text["id"]]}).status_code == 404
    assert b.delete(f"/api/v1/phrases/folders/{folder['id']}").status_code == 404
    # nor files into A's folder or reuses A's image
    into = b.post("/api/v1/phrases", json={"title": "B", "body": "x", "folder_id": folder["id"]})
    assert into.status_code == 404
    reuse = b.post(
        "/api/v1/phrases", json={"kind": "image", "title": "B", "file_id": pic["file_id"]}
    )
    assert reuse.status_code == 404
    assert b.put("/api/v1/phrases/folders/order", json={"ids": [folder["id"]]}).status_code == 422
    assert api.get(f"/api/v1/phrases/{text['id']}").json()["uses"] == 1
    b.close()
