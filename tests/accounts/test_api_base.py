"""A corp's WeCom API base: WeCom's own host, or one the deployment allows (issue 14 point 8).

Every WeCom call sends the corp's secret to its base, so neither the settings API nor
`siyu corp add` may point a corp at any other URL."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from siyu.core.serving import ThreadedServer
from siyu.core.settings import WECOM_API, Settings
from siyu.corps import service as corps
from siyu.db.session import Database
from tests.cli.test_cli import add_args, siyu_cmd
from tests.conftest import Sandbox


@pytest.mark.parametrize(
    "base",
    [
        "http://169.254.169.254/",  # cloud metadata
        "http://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:6379",  # a loopback service the deployment did not allow
        "https://qyapi.weixin.qq.com.evil.example",
        "https://evil.example/?https://qyapi.weixin.qq.com",
        "ftp://qyapi.weixin.qq.com",
    ],
)
def test_the_settings_api_refuses_a_base_the_deployment_does_not_allow(
    api: httpx.Client, sb: Sandbox, base: str
) -> None:
    r = api.put("/api/v1/settings/wecom", json={"api_base": base, "name": "改名"})
    assert r.status_code == 422, r.text
    assert "SIYU_WECOM_API_BASES" in r.json()["detail"]
    after = api.get("/api/v1/settings/wecom").json()
    assert after["api_base"] == sb.url and after["name"] != "改名"  # nothing half-written


def test_an_allowed_base_is_accepted_and_the_current_one_may_be_sent_back(
    api: httpx.Client, sb: Sandbox
) -> None:
    # the console's form sends the stored base back with every change
    r = api.put("/api/v1/settings/wecom", json={"api_base": sb.url + "/", "name": "新名字"})
    assert r.status_code == 200 and r.json()["api_base"] == sb.url
    # another base of SIYU_WECOM_API_BASES (the suite allows a closed port)
    r = api.put("/api/v1/settings/wecom", json={"api_base": "http://127.0.0.1:9"})
    assert r.status_code == 200 and r.json()["api_base"] == "http://127.0.0.1:9"
    # WeCom's own host is always allowed
    r = api.put("/api/v1/settings/wecom", json={"api_base": WECOM_API})
    assert r.status_code == 200 and r.json()["api_base"] == WECOM_API


def test_by_default_only_wecoms_host_is_allowed() -> None:
    assert Settings(wecom_api_bases="").allowed_api_bases == {WECOM_API}
    extra = Settings(wecom_api_bases=" http://127.0.0.1:9100/ ,http://sb:1").allowed_api_bases
    assert extra == {WECOM_API, "http://127.0.0.1:9100", "http://sb:1"}


def test_corp_add_refuses_a_base_the_deployment_does_not_allow(db: Database, sb: Sandbox) -> None:
    r = siyu_cmd("corp", "add", *add_args(sb, **{"--api-base": "http://169.254.169.254/"}))
    assert r.returncode == 1 and "SIYU_WECOM_API_BASES" in r.stderr, r.stderr
    # allowed by the deployment setting (here the environment the `sb` fixture extended)
    r = siyu_cmd("corp", "add", *add_args(sb))
    assert r.returncode == 0, r.stderr


def test_doctor_sends_no_secret_to_a_stored_base_the_deployment_does_not_allow(
    db: Database, sb: Sandbox
) -> None:
    """A base written before the allowlist (or into the database directly) is reported, and
    the secret is not sent there."""
    hits: list[str] = []

    async def record(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            hits.append(f"{scope['path']}?{scope['query_string'].decode()}")
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})

    other = ThreadedServer(record).start()
    try:
        assert siyu_cmd("corp", "add", *add_args(sb)).returncode == 0

        async def point_at(url: str) -> None:
            async with db.unit_of_work() as s:
                corp = await corps.get_by_wecom_id(s, sb.config.corp_id)
                assert corp is not None
                corp.api_base = url

        asyncio.run(point_at(other.url))
        r = siyu_cmd("doctor", "--url", "http://127.0.0.1:9")
        assert r.returncode == 1 and "SIYU_WECOM_API_BASES" in r.stdout, r.stdout
        assert hits == []  # no gettoken with the corpsecret
        # the same server, allowed by the deployment, is asked
        r = siyu_cmd(
            "doctor",
            "--url",
            "http://127.0.0.1:9",
            env={"SIYU_WECOM_API_BASES": f"http://127.0.0.1:9,{sb.url},{other.url}"},
        )
        assert r.returncode == 1 and hits and hits[0].startswith("/cgi-bin/gettoken?")
    finally:
        other.stop()
