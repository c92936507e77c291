"""Security headers (issue 14, point 9) over real HTTP: the console's CSP, nosniff and
referrer policy; the hosted page's nonce CSP and no-referrer; HSTS over https only."""

from __future__ import annotations

import asyncio
import re

import httpx

from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, Siyu, full_sync


def test_console_and_api_headers(siyu: Siyu) -> None:
    with httpx.Client(base_url=siyu.url, timeout=10) as http:
        for path in ("/", "/content", "/sidebar", "/healthz", "/api/v1/auth/me"):
            r = http.get(path)
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split(";")[1]
            assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
            assert "style-src 'self' 'unsafe-inline'" in csp  # Ant Design's CSS-in-JS
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "strict-transport-security" not in r.headers  # plain http
        # behind a trusted proxy (Uvicorn trusts 127.0.0.1's X-Forwarded-Proto): HSTS
        https = http.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert https.headers["strict-transport-security"].startswith("max-age=")
        docs = http.get("/api/docs")
        assert "frame-ancestors 'self'" in docs.headers["content-security-policy"]


def test_hosted_page_has_a_nonce_and_no_referrer(
    api: httpx.Client, sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    customer = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    item = api.post(
        "/api/v1/content", json={"kind": "article", "title": "会员须知", "body": "正文"}
    ).json()
    userid = sb.get("/sandbox/employees")[0]["userid"]
    url = api.post(f"/api/v1/content/{item['id']}/radar-links", json={"userid": userid}).json()[
        "url"
    ]
    path = url[url.index("/r/") :]
    with httpx.Client(base_url=str(api.base_url), timeout=10) as anon:
        redirect = anon.get(path, follow_redirects=False)  # OAuth first (sandbox, no customer)
        assert redirect.status_code == 302
        assert redirect.headers["referrer-policy"] == "no-referrer"
        assert "script-src" not in redirect.headers["content-security-policy"]
        named = api.post(
            f"/api/v1/content/{item['id']}/radar-links",
            json={"userid": userid, "customer_id": customer["id"]},
        ).json()["url"]
        pages = [anon.get(named[named.index("/r/") :]) for _ in range(2)]
    nonces = []
    for r in pages:
        csp = r.headers["content-security-policy"]
        nonce = re.search(r"script-src 'nonce-([\w-]+)'", csp)
        assert nonce and "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert f'<script nonce="{nonce.group(1)}">' in r.text
        assert r.headers["referrer-policy"] == "no-referrer"
        nonces.append(nonce.group(1))
    assert nonces[0] != nonces[1]  # one per response
