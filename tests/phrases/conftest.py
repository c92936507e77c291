"""Reply library fixtures: the console users per role (shared with tests/accounts), helpers."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tests.accounts.conftest import as_role, team  # noqa: F401  (fixtures)


def png(size: int = 16) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), (7, 193, 96)).save(buf, "PNG")
    return buf.getvalue()


def made(r: httpx.Response, status: int = 201) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def phrase(client: httpx.Client, **body: Any) -> dict[str, Any]:
    body.setdefault("kind", "text")
    if body["kind"] == "text":
        body.setdefault("body", f"{body['title']}：欢迎咨询")
    return dict(made(client.post("/api/v1/phrases", json=body)))


def titles(client: httpx.Client, **params: Any) -> list[str]:
    r = client.get("/api/v1/phrases", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return [p["title"] for p in r.json()["items"]]
