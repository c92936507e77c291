"""The JS-SDK on the server side: WeCom's signature, the two jsapi tickets and their cache, and
the sandbox's tickets and signature checks (over real HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from siyu.core.serving import ThreadedServer
from siyu.wecom import TokenCache, WeComClient, WeComError
from siyu.wecom.jssdk import agent_ticket, corp_ticket, new_signature, sign, strip_fragment
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app

pytestmark = pytest.mark.anyio

CONFIG = SandboxConfig(customers=5, employees=2, seed=5)


def test_signature_matches_wecoms_worked_example() -> None:
    # developer.work.weixin.qq.com/document/path/96909 (JS-SDK 签名算法, 2024/11/14), 示例
    ticket = (
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    )
    expected = "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    url = "http://mp.weixin.qq.com?params=value"
    assert sign(ticket, "Wm3WZYTPz0wzccnW", 1414587457, url) == expected
    assert sign(ticket, "Wm3WZYTPz0wzccnW", "1414587457", url + "#/chat?x=1") == expected
    # WeChat's older page (OA_Web_Apps/JS-SDK.html, 附录1) signs the URL without its query
    assert (
        sign(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com")
        == "f4d90daf4b3bca3078ab155816175ba34c443a7b"
    )


def test_fragment_removed_and_fresh_nonces() -> None:
    assert (
        strip_fragment("https://a.example/sidebar?x=1#top#more") == "https://a.example/sidebar?x=1"
    )
    a, b = new_signature("t", "https://a.example/"), new_signature("t", "https://a.example/")
    assert a.nonce_str != b.nonce_str
    assert a.signature == sign("t", a.nonce_str, a.timestamp, "https://a.example/")


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedServer]:
    srv = ThreadedServer(create_sandbox_app(SandboxConfig(**CONFIG.__dict__))).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def control(server: ThreadedServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        http.delete("/sandbox/stats")
        yield http


@pytest.fixture
async def client(server: ThreadedServer) -> AsyncIterator[WeComClient]:
    async with WeComClient(
        corp_id=CONFIG.corp_id, secret=CONFIG.secret, base_url=server.url, token_cache=TokenCache()
    ) as wecom:
        yield wecom


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _verify(control: httpx.Client, **check: Any) -> dict[str, Any]:
    r = control.post(
        "/sandbox/jssdk/verify", content=httpx.Request("POST", "/", json=check).content
    )
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    return dict(r.json())


async def test_tickets_are_cached_until_shortly_before_they_expire(
    client: WeComClient, control: httpx.Client
) -> None:
    clock = Clock()
    cache = TokenCache(clock=clock)
    first = await corp_ticket(client, cache=cache)
    app_first = await agent_ticket(client, cache=cache)
    assert first != app_first
    for _ in range(3):
        assert await corp_ticket(client, cache=cache) == first
        assert await agent_ticket(client, cache=cache) == app_first
    stats = control.get("/sandbox/stats").json()
    assert stats["get_jsapi_ticket"] == 1 and stats["ticket/get"] == 1

    # WeCom answers the same ticket while it is valid: a fetch now brings back the same one
    clock.now += 7200 - 299  # inside the last 300 s: the cache lets it go
    assert await corp_ticket(client, cache=cache) == first
    assert control.get("/sandbox/stats").json()["get_jsapi_ticket"] == 2

    # once the ticket expired at WeCom, the next fetch gets a new one
    control.post("/sandbox/clock", json={"seconds": 7200})
    clock.now += 7200
    assert await corp_ticket(client, cache=cache) != first
    assert await agent_ticket(client, cache=cache) != app_first


async def test_sandbox_checks_signatures_against_its_tickets(
    client: WeComClient, control: httpx.Client
) -> None:
    cache = TokenCache()
    page = "http://127.0.0.1:8000/sidebar?external_userid=wmX"
    corp_sig = new_signature(await corp_ticket(client, cache=cache), page)
    agent_sig = new_signature(await agent_ticket(client, cache=cache), page)

    def check(api: str, sig: Any, **over: Any) -> dict[str, Any]:
        body = {
            "api": api,
            "corpid": CONFIG.corp_id,
            "agentid": CONFIG.agent_id,
            "url": page + "#frag",
            "timestamp": sig.timestamp,
            "nonceStr": sig.nonce_str,
            "signature": sig.signature,
        }
        return _verify(control, **{**body, **over})

    assert check("config", corp_sig) == {"errCode": 0, "errMsg": "config:ok"}
    assert check("agentConfig", agent_sig) == {"errCode": 0, "errMsg": "agentConfig:ok"}
    # each ticket signs only its own config
    assert check("config", agent_sig)["errMsg"] == "config:fail invalid signature"
    assert check("agentConfig", corp_sig)["errCode"] == 40093
    assert check("config", corp_sig, url=page + "&x=1")["errCode"] == 40093
    assert check("config", corp_sig, corpid="wwother")["errCode"] == 40013
    assert check("agentConfig", agent_sig, agentid=1000099)["errMsg"] == (
        "agentConfig:fail invalid agentid"
    )
    assert check("agentConfig", agent_sig, agentid=None)["errCode"] == 40056
    assert check("config", corp_sig, signature="")["errCode"] == 40063

    # the fault: both tickets replaced early; what was signed with the old ones fails
    control.put("/sandbox/faults", json={"rotate_jsapi_tickets": True}).raise_for_status()
    assert check("config", corp_sig)["errCode"] == 40093
    assert check("agentConfig", agent_sig)["errCode"] == 40093
    fresh = new_signature(await corp_ticket(client, cache=TokenCache()), page)
    assert check("config", fresh)["errCode"] == 0


async def test_ticket_get_needs_the_agent_config_type(client: WeComClient) -> None:
    with pytest.raises(WeComError) as err:
        await client.call("GET", "ticket/get")
    assert err.value.errcode == 40058
    with pytest.raises(WeComError) as err:
        await client.call("GET", "ticket/get", params={"type": "jsapi"})
    assert err.value.errcode == 40058


def test_stand_in_script_is_served(control: httpx.Client) -> None:
    r = control.get("/sandbox/jssdk/ww.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert "window.ww = ww" in r.text and "/sandbox/jssdk/verify" in r.text
