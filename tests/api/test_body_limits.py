"""Request-body limits per route, over real HTTP (issue 14 point 4; siyu.api.limits).

A declared body above the route's limit is refused before any of it is read (no
authentication, no handler); a chunked one is counted and aborted at the limit."""

from __future__ import annotations

import asyncio
import json
import socket
from urllib.parse import urlparse

import httpx

from siyu.accounts import service as accounts
from siyu.api.limits import CALLBACK_LIMIT, DEFAULT_LIMIT
from siyu.db.session import Database
from tests.conftest import CorpHandle, Siyu

PASSWORD = "correct-horse-battery"
MiB = 1024 * 1024


def _user(db: Database, corp: CorpHandle) -> None:
    async def go() -> None:
        async with db.unit_of_work() as s:
            await accounts.create_user(
                s, corp.id, username="admin", role="admin", userid=None, password=PASSWORD
            )

    asyncio.run(go())


def _headers_only(url: str, path: str, length: int) -> tuple[int, dict[str, str]]:
    """Send a request's headers declaring ``length`` bytes, and none of the body."""
    u = urlparse(url)
    with socket.create_connection((u.hostname, u.port), timeout=30) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < int(
            dict(
                line.decode().lower().split(": ", 1)
                for line in data.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]
            ).get("content-length", "0")
        ):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ")[1])
    return status, json.loads(body)


def test_a_2_mib_login_is_refused_before_the_handler(
    siyu: Siyu, corp: CorpHandle, db: Database
) -> None:
    _user(db, corp)
    good = json.dumps({"username": "admin", "password": PASSWORD})
    padded = good + " " * (2 * MiB - len(good))  # valid JSON: the handler would sign in
    with httpx.Client(base_url=siyu.url, timeout=30) as c:
        r = c.post(
            "/api/v1/auth/login", content=padded, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 413, r.text
        assert r.json()["detail"] == "the request body is larger than 1 MiB, this route's limit"
        assert "siyu_session" not in r.headers.get("set-cookie", "")
        assert not c.cookies  # not signed in: the handler never ran
        # the same body within the limit signs in
        r = c.post("/api/v1/auth/login", content=good, headers={"Content-Type": "application/json"})
        assert r.status_code == 200, r.text


def test_a_declared_multi_gib_body_is_answered_without_being_read(siyu: Siyu) -> None:
    status, body = _headers_only(siyu.url, "/api/v1/auth/login", 4 * 1024 * MiB)
    assert status == 413 and "1 MiB" in body["detail"]
    status, body = _headers_only(siyu.url, "/wecom/callback/wwanything", CALLBACK_LIMIT + 1)
    assert status == 413 and "64 KiB" in body["detail"]


def _chunks(total: int, size: int = 10 * 1024):
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        sent += n
        yield b"<" * n


def test_a_chunked_100_kib_callback_is_aborted_at_64_kib(siyu: Siyu, corp: CorpHandle) -> None:
    with httpx.Client(base_url=siyu.url, timeout=30) as c:
        r = c.post(
            f"/wecom/callback/{corp.wecom_corp_id}",
            params={"msg_signature": "x", "timestamp": "1", "nonce": "n"},
            content=_chunks(100 * 1024),  # a generator: Transfer-Encoding: chunked
        )
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in r.request.headers
    assert r.status_code == 413, r.text
    assert "64 KiB" in r.json()["detail"]


def test_a_chunked_json_body_above_the_default_limit_is_refused(siyu: Siyu) -> None:
    with httpx.Client(base_url=siyu.url, timeout=30) as c:
        r = c.post(
            "/api/v1/auth/login",
            content=_chunks(DEFAULT_LIMIT + 64 * 1024, size=64 * 1024),
            headers={"Content-Type": "application/json"},
        )
    assert r.status_code == 413, r.text


def test_a_normal_upload_above_the_default_limit_still_works(api: httpx.Client) -> None:
    data = b"%PDF-1.4\n" + b"0" * (3 * MiB)  # larger than the 1 MiB JSON limit
    r = api.post(
        "/api/v1/content/upload",
        files={"file": ("报价单.pdf", data, "application/pdf")},
        data={"kind": "file", "title": "报价单"},
    )
    assert r.status_code == 201, r.text
    f = api.get(f"/api/v1/content/{r.json()['id']}").json()
    assert f["title"] == "报价单"
    # a callback within its limit reaches its handler (an unknown corp: 404 from the route)
    r = api.post("/wecom/callback/wwnobody", content=b"<xml/>")
    assert r.status_code == 404
