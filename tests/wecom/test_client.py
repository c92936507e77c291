"""The typed WeCom client, driven against the sandbox over real HTTP and in-process."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import siyu.wecom
from siyu.wecom import (
    RetryPolicy,
    TokenCache,
    WeComClient,
    WeComError,
    WeComRateLimited,
    WeComTokenError,
    WeComUnavailable,
)
from siyu.wecom.sandbox import SandboxConfig, create_sandbox_app

Sandboxed = Any  # the ``sandbox`` fixture of conftest.py
Control = Any  # the ``control`` fixture of conftest.py
FAST_RETRY = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, budget=10.0)

pytestmark = pytest.mark.anyio


def _stats(control: Control) -> dict[str, int]:
    return control.get("/sandbox/stats")  # type: ignore[no-any-return]


def test_public_surface_is_exported() -> None:
    for name in siyu.wecom.__all__:
        assert hasattr(siyu.wecom, name), name
    for name in ("WeComClient", "RetryPolicy", "WeComError", "BatchPage", "ExternalContact"):
        assert name in siyu.wecom.__all__


def test_error_str_shows_code_message_and_path() -> None:
    err = WeComError(40096, "invalid external_userid", "externalcontact/get")
    assert "40096" in str(err) and "invalid external_userid" in str(err)
    assert "externalcontact/get" in str(err)
    assert issubclass(WeComRateLimited, WeComError) and issubclass(WeComUnavailable, WeComError)


async def test_one_gettoken_for_many_calls(sandbox: Sandboxed, control: Control) -> None:
    cache = TokenCache()
    before = _stats(control).get("gettoken", 0)
    async with WeComClient(
        corp_id=sandbox.config.corp_id,
        secret=sandbox.config.secret,
        base_url=sandbox.url,
        token_cache=cache,
    ) as wecom:
        for _ in range(5):
            await wecom.get_follow_user_list()
        await wecom.list_departments()
    async with WeComClient(
        corp_id=sandbox.config.corp_id,
        secret=sandbox.config.secret,
        base_url=sandbox.url,
        token_cache=cache,
    ) as other:
        await other.list_users()
    assert _stats(control)["gettoken"] - before == 1


async def test_expired_token_is_refreshed_and_replayed(
    client: WeComClient, control: Control
) -> None:
    await client.get_follow_user_list()
    before = _stats(control)
    control.put("/sandbox/faults", json={"expire_tokens": True})
    users = await client.get_follow_user_list()
    after = _stats(control)
    assert users
    assert after["gettoken"] - before.get("gettoken", 0) == 1
    # the first call got 42001, the replay succeeded
    path = "externalcontact/get_follow_user_list"
    assert after[path] - before[path] == 2


@pytest.mark.parametrize(
    "fault", [{"rate_limit": 2}, {"concurrency_limit": 1}, {"server_error": 2}, {"busy": 3}]
)
async def test_transient_faults_are_retried(
    client: WeComClient, control: Control, fault: dict[str, int]
) -> None:
    await client.list_departments()  # token cached: faults hit the call itself
    before = _stats(control).get("department/list", 0)
    control.put("/sandbox/faults", json=fault)
    deps = await client.list_departments()
    assert deps and deps[0].id == 1
    assert _stats(control)["department/list"] - before == next(iter(fault.values())) + 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"rate_limit": 50}, WeComRateLimited),
        ({"server_error": 50}, WeComUnavailable),
        ({"busy": 50}, WeComUnavailable),
    ],
)
async def test_budget_exhausted_raises_matching_error(
    sandbox: Sandboxed,
    client: WeComClient,
    control: Control,
    fault: dict[str, int],
    error: type[WeComError],
) -> None:
    await client.list_departments()
    control.put("/sandbox/faults", json=fault)
    async with WeComClient(
        corp_id=sandbox.config.corp_id,
        secret=sandbox.config.secret,
        base_url=sandbox.url,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02),
    ) as wecom:
        with pytest.raises(error) as info:
            await wecom.list_departments()
    assert info.value.path == "department/list"
    assert type(info.value) is error


async def test_plain_errcode_raises_weecom_error(client: WeComClient) -> None:
    with pytest.raises(WeComError) as info:
        await client.get_external_contact("wmdoesnotexist")
    assert type(info.value) is WeComError
    assert info.value.errcode == 40096
    assert info.value.path == "externalcontact/get"


async def test_bad_secret_is_a_token_error(sandbox: Sandboxed) -> None:
    async with WeComClient(
        corp_id=sandbox.config.corp_id, secret="wrong", base_url=sandbox.url
    ) as wecom:
        with pytest.raises(WeComTokenError) as info:
            await wecom.list_departments()
    assert info.value.errcode == 40001 and info.value.path == "gettoken"


async def test_timeouts_are_retried_then_unavailable() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if request.url.path.endswith("gettoken"):
            return httpx.Response(200, json={"errcode": 0, "access_token": "t", "expires_in": 7200})
        raise httpx.ReadTimeout("slow", request=request)

    async with WeComClient(
        corp_id="wwx",
        secret="s",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002),
        token_cache=TokenCache(),
    ) as wecom:
        with pytest.raises(WeComUnavailable) as info:
            await wecom.get_follow_user_list()
    assert "timeout" in info.value.errmsg
    assert calls == 1 + 3


async def test_real_http_timeouts_and_refusals_are_unavailable(
    sandbox: Sandboxed, control: Control
) -> None:
    """Over the default (aiohttp) transport: a WeCom that answers too slowly or not at all is
    retried, then reported as unavailable, never as an unexpected exception."""
    retry = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.002)
    async with WeComClient(
        corp_id=sandbox.config.corp_id,
        secret=sandbox.config.secret,
        base_url=sandbox.url,
        timeout=0.2,
        retry=retry,
        token_cache=TokenCache(),
    ) as wecom:
        await wecom.list_departments()
        before = _stats(control).get("department/list", 0)
        control.put("/sandbox/faults", json={"latency_ms": 1000})
        try:
            with pytest.raises(WeComUnavailable) as slow:
                await wecom.list_departments()
        finally:
            control.put("/sandbox/faults", json={"latency_ms": 0})
    assert "timeout" in slow.value.errmsg and slow.value.path == "department/list"
    assert _stats(control)["department/list"] - before == 2  # retried once

    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with WeComClient(
        corp_id="wwx",
        secret="s",
        base_url=f"http://127.0.0.1:{port}",
        retry=retry,
        token_cache=TokenCache(),
    ) as wecom:
        with pytest.raises(WeComUnavailable) as refused:
            await wecom.list_departments()
    assert "transport error" in refused.value.errmsg and "Cannot connect" in refused.value.errmsg


async def test_in_process_asgi_transport() -> None:
    app = create_sandbox_app(SandboxConfig(customers=120, employees=5, seed=3))
    config = app.state.sandbox.config
    async with WeComClient(
        corp_id=config.corp_id,
        secret=config.secret,
        base_url="http://sandbox.local",
        transport=httpx.ASGITransport(app=app),
        retry=FAST_RETRY,
    ) as wecom:
        userids = await wecom.get_follow_user_list()
        total = 0
        async for page in wecom.iter_batch_get_by_user(userids, limit=30):
            total += len(page.items)
        customers = await wecom.list_external_contacts(userids[0])
        detail = await wecom.get_external_contact(customers[0])
    assert total == app.state.sandbox.world.counts()["follow_relations"]
    assert detail.external_contact.external_userid == customers[0]
    assert any(f.userid == userids[0] for f in detail.follow_user)


async def test_contacts_and_models(client: WeComClient) -> None:
    deps = await client.list_departments()
    names = {d.name for d in deps}
    assert {"总部", "华东大区", "上海门店"} <= names
    assert (await client.list_departments(2))[0].id == 2
    users = await client.list_users(1, fetch_child=True)
    assert users and all(u.userid and u.name and u.department for u in users)
    assert await client.list_users(1, fetch_child=False) == []


async def test_get_external_contact_merges_follow_user_pages(
    client: WeComClient, control: Control
) -> None:
    userids = await client.get_follow_user_list()
    target = None
    for userid in userids:
        for ext in await client.list_external_contacts(userid):
            record = control.get(f"/sandbox/customers/{ext}")
            if len(record["follows"]) >= 2:
                target = record
                break
        if target:
            break
    assert target is not None
    control.put("/sandbox/config", json={"follow_page_size": 1})
    try:
        detail = await client.get_external_contact(target["external_userid"])
    finally:
        control.put("/sandbox/config", json={"follow_page_size": 500})
    assert {f.userid for f in detail.follow_user} == {f["userid"] for f in target["follows"]}
    assert all(t.tag_name for f in detail.follow_user for t in f.tags)


def _replying(body: bytes) -> httpx.MockTransport:
    """WeCom answering every call with ``body`` (and a token): for encodings the sandbox never
    produces."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("gettoken"):
            return httpx.Response(200, json={"errcode": 0, "access_token": "t", "expires_in": 7200})
        return httpx.Response(200, content=body)

    return httpx.MockTransport(handler)


_PAGE = (
    '{"errcode": 0, "errmsg": "ok", "next_cursor": "c2", "external_contact_list": [{'
    '"external_contact": {"external_userid": "wm1", "name": "张\\ud83d\\ude00", "type": 1,'
    ' "video_channel": "x"},'
    '"follow_info": {"userid": "lisi", "createtime": 1700000000, "tag_id": ["et1", "et2"],'
    ' "wechat_channels": {"nickname": "n", "source": 1}}}]}'
)


@pytest.mark.parametrize(
    "body",
    [
        _PAGE.encode(),
        b"\xef\xbb\xbf" + _PAGE.encode(),  # UTF-8 with a byte-order mark
        _PAGE.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16"],
)
async def test_batch_page_parses_in_any_json_encoding_and_keeps_unknown_fields(
    body: bytes,
) -> None:
    async with WeComClient(
        corp_id="wwx", secret="s", transport=_replying(body), token_cache=TokenCache()
    ) as wecom:
        page = await wecom.batch_get_by_user(["lisi"], cursor="c1")
    assert (page.cursor, page.next_cursor, page.userids) == ("c1", "c2", ["lisi"])
    (item,) = page.items
    assert item.external_contact.name == "张😀"
    assert item.follow_info.tag_id == ["et1", "et2"] and item.follow_info.createtime == 1700000000
    assert item.external_contact.model_extra == {"video_channel": "x"}
    assert item.follow_info.model_extra == {"wechat_channels": {"nickname": "n", "source": 1}}


async def test_reply_that_is_not_json_is_retried_then_unavailable() -> None:
    async with WeComClient(
        corp_id="wwx",
        secret="s",
        transport=_replying(b"<html>busy</html>"),
        retry=RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.002),
        token_cache=TokenCache(),
    ) as wecom:
        with pytest.raises(WeComUnavailable) as info:
            await wecom.batch_get_by_user(["lisi"])
    assert "not JSON" in info.value.errmsg
