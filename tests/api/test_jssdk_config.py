"""GET /api/v1/jssdk/config over real HTTP: signatures the sandbox accepts, for API keys and
signed-in staff; pages of other origins and non-http URLs are refused (422)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from siyu.api.headers import console_csp
from siyu.core.settings import WECOM_API
from siyu.corps.jssdk import check_page_url, sandbox_script, trusted_domain
from siyu.corps.models import Corp
from siyu.db.session import Database
from tests.accounts.conftest import Team, sign_in
from tests.accounts.conftest import team as team  # the fixture, re-exported
from tests.conftest import CorpHandle, Sandbox, Siyu


def _verify(sb: Sandbox, cfg: dict[str, Any], url: str) -> list[str]:
    """What the sandbox (WeCom's stand-in) says of both signatures of ``url``."""
    out = []
    for api, prefix in (("config", ""), ("agentConfig", "agent_")):
        body = {
            "api": api,
            "corpid": cfg["corpid"],
            "agentid": cfg["agentid"],
            "url": url,
            "timestamp": cfg[f"{prefix}timestamp"],
            "nonceStr": cfg[f"{prefix}nonce_str"],
            "signature": cfg[f"{prefix}signature"],
        }
        out.append(sb.http.post("/sandbox/jssdk/verify", json=body).json()["errMsg"])
    return out


@pytest.mark.anyio
async def test_config_is_signed_for_the_consoles_pages(
    siyu: Siyu, sb: Sandbox, api: httpx.Client, team: Team
) -> None:
    page = f"{siyu.url}/sidebar?external_userid=wmAbc&corp={sb.config.corp_id}"
    cfg = api.get("/api/v1/jssdk/config", params={"url": page + "#/x"}).json()
    assert cfg["corpid"] == sb.config.corp_id and cfg["agentid"] == sb.config.agent_id
    assert cfg["signature"] != cfg["agent_signature"]
    assert cfg["sandbox_script"] == f"{sb.url}/sandbox/jssdk/ww.js"
    assert _verify(sb, cfg, page) == ["config:ok", "agentConfig:ok"]
    assert _verify(sb, cfg, page + "&other=1") == [
        "config:fail invalid signature",
        "agentConfig:fail invalid signature",
    ]

    # the sidebar's staff (signed in) get it too; both tickets were fetched once
    staff = sign_in(siyu, "staff")
    try:
        again = staff.get("/api/v1/jssdk/config", params={"url": page}).json()
    finally:
        staff.close()
    assert _verify(sb, again, page) == ["config:ok", "agentConfig:ok"]
    stats = sb.get("/sandbox/stats")
    assert stats["get_jsapi_ticket"] == 1 and stats["ticket/get"] == 1

    with httpx.Client(base_url=siyu.url) as anon:
        assert anon.get("/api/v1/jssdk/config", params={"url": page}).status_code == 401
        # the sidebar may load the stand-in from the allowed sandbox and have it check there
        csp = dict(
            d.strip().split(" ", 1)
            for d in anon.get("/sidebar").headers["content-security-policy"].split(";")
        )
        assert sb.url in csp["script-src"].split() and sb.url in csp["connect-src"].split()

    for bad in (
        "https://evil.example/sidebar",
        "javascript:alert(1)",
        "ftp://127.0.0.1/sidebar",
        "/sidebar",
        f"{siyu.url.replace('http://', 'https://')}/sidebar",
        f"http://user@{siyu.url.split('://')[1]}/sidebar",
        "",
    ):
        r = api.get("/api/v1/jssdk/config", params={"url": bad})
        assert r.status_code == 422, (bad, r.text)


def test_a_corp_without_an_app_gets_a_clear_409(
    db: Database, siyu: Siyu, sb: Sandbox, corp: CorpHandle, api: httpx.Client
) -> None:
    async def drop_agent() -> None:
        async with db.unit_of_work() as s:
            await s.execute(update(Corp).where(Corp.id == corp.id).values(agent_id=None))

    asyncio.run(drop_agent())
    r = api.get("/api/v1/jssdk/config", params={"url": f"{siyu.url}/sidebar"})
    assert r.status_code == 409 and "agent id" in r.json()["detail"]


def test_real_corps_get_no_stand_in_and_origins_compare_normalised() -> None:
    assert "connect-src 'self';" in console_csp("")  # no sandbox allowed, nothing else
    assert sandbox_script(Corp(api_base=WECOM_API)) is None
    assert sandbox_script(Corp(api_base="http://127.0.0.1:9")) == (
        "http://127.0.0.1:9/sandbox/jssdk/ww.js"
    )
    assert check_page_url("https://SCRM.Example.com:443/m#a", "https://scrm.example.com/") == (
        "https://SCRM.Example.com:443/m"
    )
    assert trusted_domain("https://scrm.example.com/") == "scrm.example.com"
    assert trusted_domain("http://scrm.example.com:8080") == "scrm.example.com:8080"
