"""WeCom sign-in: the OAuth state only works in the browser that started it (no login CSRF),
and redirect URLs come from SIYU_PUBLIC_URL, never from the Host header, when it is set."""

from __future__ import annotations

from contextlib import closing
from urllib.parse import parse_qs, urlparse

import httpx

from siyu.core.serving import ThreadedServer
from siyu.core.settings import get_settings
from tests.accounts.conftest import Team
from tests.cli.test_cli import siyu_cmd
from tests.conftest import Sandbox, Siyu


def _callback_url(client: httpx.Client, sb: Sandbox, userid: str) -> str:
    """Start a WeCom sign-in in ``client`` and pick ``userid`` in the sandbox: the URL WeCom
    sends the browser back to (code and state)."""
    start = client.get("/api/v1/auth/wecom/start", params={"next": "/sidebar"})
    assert start.status_code == 302 and client.cookies.get("siyu_oauth")
    query = parse_qs(urlparse(start.headers["location"]).query)
    # WeCom takes a state of a-zA-Z0-9, 128 bytes at most (developer.work.weixin.qq.com/document/path/96714)
    assert query["state"][0].isalnum() and len(query["state"][0]) <= 128
    pick = httpx.get(
        f"{sb.url}/sandbox/oauth/approve",
        params={
            "userid": userid,
            "redirect_uri": query["redirect_uri"][0],
            "state": query["state"][0],
        },
    )
    assert pick.status_code == 302
    return str(pick.headers["location"])


async def test_a_state_only_signs_in_the_browser_that_started_it(
    siyu: Siyu, sb: Sandbox, team: Team
) -> None:
    attacker = httpx.Client(base_url=siyu.url, timeout=30)
    victim = httpx.Client(base_url=siyu.url, timeout=30)
    with closing(attacker), closing(victim):
        # the attacker's own sign-in, handed to the victim: refused, no session
        planted = _callback_url(attacker, sb, team.staff_userid)
        r = victim.get(planted)
        assert r.status_code == 403 and "another browser" in r.json()["detail"]
        assert "siyu_session" not in victim.cookies
        # also when the victim has a sign-in of their own under way (another nonce)
        victim.get("/api/v1/auth/wecom/start")
        assert victim.cookies.get("siyu_oauth")
        assert victim.get(_callback_url(attacker, sb, team.staff_userid)).status_code == 403
        # in the browser that started it, the same flow signs in and drops the nonce
        back = attacker.get(_callback_url(attacker, sb, team.staff_userid))
        assert back.status_code == 302 and back.headers["location"] == "/sidebar"
        assert attacker.cookies.get("siyu_session") and not attacker.cookies.get("siyu_oauth")


def _redirect_uri(url: str, host: str | None = None) -> str:
    headers = {"Host": host} if host else {}
    r = httpx.get(f"{url}/api/v1/auth/wecom/start", headers=headers)
    assert r.status_code == 302
    return parse_qs(urlparse(r.headers["location"]).query)["redirect_uri"][0]


async def test_redirects_come_from_the_public_url(siyu: Siyu, team: Team) -> None:
    from siyu.api.app import create_app

    # unset (a loopback demo): the request's own URL
    assert _redirect_uri(siyu.url) == f"{siyu.url}/api/v1/auth/wecom/callback"
    settings = get_settings().model_copy(update={"public_url": "https://scrm.example.com/"})
    server = ThreadedServer(create_app(settings, workers=0)).start()
    try:
        for host in (None, "evil.example"):
            assert (
                _redirect_uri(server.url, host)
                == "https://scrm.example.com/api/v1/auth/wecom/callback"
            )
    finally:
        server.stop()


def test_serve_off_loopback_needs_the_public_url() -> None:
    strong = {"SIYU_SECRET_KEY": "k" * 40, "SIYU_PUBLIC_URL": ""}
    r = siyu_cmd("serve", "--host", "0.0.0.0", "--workers", "0", env=strong)
    assert r.returncode == 2 and "SIYU_PUBLIC_URL" in " ".join(r.stderr.split())
    worker = siyu_cmd("worker", env={**strong, "SIYU_HOST": "0.0.0.0"})
    assert worker.returncode == 2 and "SIYU_PUBLIC_URL" in " ".join(worker.stderr.split())
