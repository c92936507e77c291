"""The typed async WeCom client.

One :class:`WeComClient` wraps one ``httpx.AsyncClient``; policy lives in layers:

- :class:`WeComTokenAuth` (an ``httpx.Auth`` flow) adds ``access_token`` to every request,
  fetching it from ``gettoken`` through the same flow when the process-wide cache has none, and
  on 40014 / 41001 / 42001 / 42009 drops the cached token, fetches a new one and replays once;
- :meth:`WeComClient.call` retries 45009, 45033, -1, HTTP 5xx and timeouts with exponential
  backoff and jitter under a :class:`RetryPolicy`, then raises the matching error
  (:mod:`siyu.wecom.errors`);
- the endpoint methods turn WeCom JSON into the models of :mod:`siyu.wecom.models`.

Requests go out through aiohttp (``httpx_aiohttp.AiohttpTransport``) unless a transport is
given: httpx's own transport (httpcore + the pure-Python h11 parser) cost ~0.9 ms of CPU per
WeCom read, aiohttp's C parser ~0.3 ms, and a callback drain makes one read per customer.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Container, Iterable, Sequence
from types import TracebackType
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from pydantic import TypeAdapter

from siyu.wecom.auth import RetryPolicy, TokenCache, WeComTokenAuth, reply_errcode
from siyu.wecom.errors import (
    BUSY_ERRCODE,
    RATE_LIMIT_ERRCODES,
    TOKEN_ERRCODES,
    WeComError,
    WeComRateLimited,
    WeComTokenError,
    WeComUnavailable,
)
from siyu.wecom.models import (
    BatchItem,
    BatchPage,
    CorpTagGroup,
    Department,
    ExternalContactDetail,
    FollowUser,
    GroupChat,
    GroupChatPage,
    GroupChatRef,
    User,
)

__all__ = ["DEFAULT_BASE_URL", "RetryPolicy", "TokenCache", "WeComClient", "WeComTokenAuth"]

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
BATCH_USERIDS_MAX = 100

#: validates a whole ``external_contact_list`` in one pydantic-core call (built once: a
#: full sync of 100k customers parses ~1,900 pages; per-item ``model_validate`` costs ~15 % more)
#: connections to WeCom per client (a drain reads a handful of customers at once)
_LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=32)

_BATCH_ITEMS: TypeAdapter[list[BatchItem]] = TypeAdapter(list[BatchItem])


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context (certifi's CA bundle) for every client of the process: building one
    loads the bundle, ~20 ms, which every drain job's new client would pay."""
    return httpx.create_ssl_context()


class _Transport(AiohttpTransport):
    """httpx-aiohttp's transport, with a refused or dropped connection reported as a
    connection error: it maps every ``aiohttp.ClientConnectionError`` to ``ConnectTimeout``."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.ConnectTimeout as exc:
            cause = exc.__cause__
            if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(
                cause, (aiohttp.ServerTimeoutError, TimeoutError)
            ):
                raise httpx.ConnectError(str(cause), request=request) from cause
            raise


class WeComClient:
    """Async client of WeCom's server API (customer contact, tags, group chats, contacts)."""

    def __init__(
        self,
        *,
        corp_id: str,
        secret: str,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        token_cache: TokenCache | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.corp_id = corp_id
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.auth = WeComTokenAuth(
            base_url=self.base_url, corp_id=corp_id, secret=secret, cache=token_cache
        )
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport or _Transport(verify=_ssl_context(), limits=_LIMITS),
            timeout=timeout,
            auth=self.auth,
        )

    async def __aenter__(self) -> WeComClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ low level

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        files: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Call ``/cgi-bin/<path>``; return the reply dict or raise a WeComError.

        ``files`` sends a multipart body instead of JSON (``media/upload``).
        """
        path = path.lstrip("/")
        policy = self.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._once(method, path, params, json, files)
            except (WeComRateLimited, WeComUnavailable) as exc:
                delay = policy.delay(attempt)
                spent = time.monotonic() - started
                if attempt >= policy.max_attempts or spent + delay > policy.budget:
                    raise exc from None
                await self._sleep(delay)

    async def _once(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        files: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            response = await self._http.request(
                method.upper(), f"/cgi-bin/{path}", params=params, json=json, files=files
            )
        except httpx.TimeoutException as exc:
            raise WeComUnavailable(BUSY_ERRCODE, f"timeout: {exc!r}", path) from exc
        except httpx.TransportError as exc:
            raise WeComUnavailable(BUSY_ERRCODE, f"transport error: {exc!r}", path) from exc
        if response.status_code >= 500:
            raise WeComUnavailable(BUSY_ERRCODE, f"HTTP {response.status_code}", path)
        code, msg, data = reply_errcode(response)
        if code == 0:
            return data
        if code in RATE_LIMIT_ERRCODES:
            raise WeComRateLimited(code, msg, path)
        if code == BUSY_ERRCODE:
            raise WeComUnavailable(code, msg, path)
        if code in TOKEN_ERRCODES:
            raise WeComTokenError(code, msg, path)
        raise WeComError(code, msg, path)

    # ------------------------------------------------------------------ contacts

    async def list_departments(self, id: int | None = None) -> list[Department]:
        """``department/list``: the department ``id`` and its descendants (all when None)."""
        params = {"id": id} if id is not None else None
        data = await self.call("GET", "department/list", params=params)
        return [Department.model_validate(d) for d in data.get("department", [])]

    async def list_users(self, department_id: int = 1, fetch_child: bool = True) -> list[User]:
        """``user/list``: members of a department (and its children)."""
        data = await self.call(
            "GET",
            "user/list",
            params={"department_id": department_id, "fetch_child": int(fetch_child)},
        )
        return [User.model_validate(u) for u in data.get("userlist", [])]

    async def get_user_info(self, code: str) -> str:
        """``auth/getuserinfo``: the member userid behind a web login / OAuth ``code``."""
        data = await self.call("GET", "auth/getuserinfo", params={"code": code})
        userid = data.get("userid") or data.get("UserId")
        if not userid:
            raise WeComError(60020, "the code does not belong to a corp member", "auth/getuserinfo")
        return str(userid)

    # ------------------------------------------------------------------ customers

    async def get_follow_user_list(self) -> list[str]:
        """Userids of the members with customer contact enabled."""
        data = await self.call("GET", "externalcontact/get_follow_user_list")
        return [str(u) for u in data.get("follow_user", [])]

    async def list_external_contacts(self, userid: str) -> list[str]:
        """``externalcontact/list``: external_userids of one member's customers."""
        data = await self.call("GET", "externalcontact/list", params={"userid": userid})
        return [str(u) for u in data.get("external_userid", [])]

    async def get_external_contact(self, external_userid: str) -> ExternalContactDetail:
        """``externalcontact/get``, following ``next_cursor`` to merge every follow_user page."""
        cursor = ""
        follow: list[FollowUser] = []
        while True:
            params = {"external_userid": external_userid}
            if cursor:
                params["cursor"] = cursor
            data = await self.call("GET", "externalcontact/get", params=params)
            follow.extend(FollowUser.model_validate(f) for f in data.get("follow_user", []))
            cursor = str(data.get("next_cursor") or "")
            if not cursor:
                break
        return ExternalContactDetail.model_validate(
            {"external_contact": data["external_contact"], "follow_user": follow}
        )

    async def batch_get_by_user(
        self,
        userids: list[str],
        cursor: str = "",
        limit: int = 100,
        *,
        only: Container[str] | None = None,
    ) -> BatchPage:
        """One page of ``externalcontact/batch/get_by_user`` (≤100 userids).

        ``only``: keep (and validate) just the items of these external userids, for a caller
        looking for a few customers in the pages."""
        data = await self.call(
            "POST",
            "externalcontact/batch/get_by_user",
            json={"userid_list": list(userids), "cursor": cursor, "limit": limit},
        )
        raw = data.get("external_contact_list") or []
        if only is not None:
            raw = [
                i for i in raw if (i.get("external_contact") or {}).get("external_userid") in only
            ]
        return BatchPage(
            items=_BATCH_ITEMS.validate_python(raw),
            next_cursor=str(data.get("next_cursor") or ""),
            cursor=cursor,
            userids=list(userids),
        )

    async def iter_batch_get_by_user(
        self,
        userids: Sequence[str],
        *,
        cursor: str = "",
        limit: int = 100,
        only: Container[str] | None = None,
    ) -> AsyncIterator[BatchPage]:
        """Every page for ``userids``, in chunks of 100; ``cursor`` applies to the first chunk.

        To resume after a page ``p``: ``offset, cursor = p.resume_point()`` and iterate again
        over ``userids[offset:]`` with that cursor. ``only`` as in :meth:`batch_get_by_user`.
        """
        ids = list(userids)
        for start in range(0, len(ids), BATCH_USERIDS_MAX):
            chunk = ids[start : start + BATCH_USERIDS_MAX]
            while True:
                page = await self.batch_get_by_user(chunk, cursor=cursor, limit=limit, only=only)
                page.offset = start
                yield page
                cursor = page.next_cursor
                if not cursor:
                    break

    async def remark(
        self,
        userid: str,
        external_userid: str,
        *,
        remark: str | None = None,
        description: str | None = None,
        remark_company: str | None = None,
        remark_mobiles: list[str] | None = None,
    ) -> None:
        """``externalcontact/remark``: set the member's remark fields on a customer."""
        body: dict[str, Any] = {"userid": userid, "external_userid": external_userid}
        for key, value in (
            ("remark", remark),
            ("description", description),
            ("remark_company", remark_company),
            ("remark_mobiles", remark_mobiles),
        ):
            if value is not None:
                body[key] = value
        await self.call("POST", "externalcontact/remark", json=body)

    # ------------------------------------------------------------------ corp tags

    async def get_corp_tag_list(
        self, tag_ids: list[str] | None = None, group_ids: list[str] | None = None
    ) -> list[CorpTagGroup]:
        body: dict[str, Any] = {}
        if tag_ids:
            body["tag_id"] = list(tag_ids)
        if group_ids:
            body["group_id"] = list(group_ids)
        data = await self.call("POST", "externalcontact/get_corp_tag_list", json=body)
        return [CorpTagGroup.model_validate(g) for g in data.get("tag_group", [])]

    async def add_corp_tag(
        self,
        *,
        group_id: str | None = None,
        group_name: str | None = None,
        order: int | None = None,
        tags: Iterable[tuple[str, int] | dict[str, Any]],
    ) -> CorpTagGroup:
        """``add_corp_tag``: tags as ``(name, order)`` pairs or ``{"name", "order"}`` dicts."""
        tag_list = [t if isinstance(t, dict) else {"name": t[0], "order": t[1]} for t in tags]
        body: dict[str, Any] = {"tag": tag_list}
        if group_id is not None:
            body["group_id"] = group_id
        if group_name is not None:
            body["group_name"] = group_name
        if order is not None:
            body["order"] = order
        data = await self.call("POST", "externalcontact/add_corp_tag", json=body)
        return CorpTagGroup.model_validate(data["tag_group"])

    async def edit_corp_tag(
        self, id: str, *, name: str | None = None, order: int | None = None
    ) -> None:
        body: dict[str, Any] = {"id": id}
        if name is not None:
            body["name"] = name
        if order is not None:
            body["order"] = order
        await self.call("POST", "externalcontact/edit_corp_tag", json=body)

    async def del_corp_tag(
        self, *, tag_ids: Sequence[str] = (), group_ids: Sequence[str] = ()
    ) -> None:
        body = {"tag_id": list(tag_ids), "group_id": list(group_ids)}
        await self.call("POST", "externalcontact/del_corp_tag", json=body)

    async def mark_tag(
        self,
        userid: str,
        external_userid: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
    ) -> None:
        body = {
            "userid": userid,
            "external_userid": external_userid,
            "add_tag": list(add),
            "remove_tag": list(remove),
        }
        await self.call("POST", "externalcontact/mark_tag", json=body)

    # ------------------------------------------------------------------ group chats

    async def list_group_chats(
        self,
        *,
        status_filter: int = 0,
        owner_userids: Sequence[str] | None = None,
        cursor: str = "",
        limit: int = 1000,
    ) -> GroupChatPage:
        body: dict[str, Any] = {"status_filter": status_filter, "cursor": cursor, "limit": limit}
        if owner_userids:
            body["owner_filter"] = {"userid_list": list(owner_userids)}
        data = await self.call("POST", "externalcontact/groupchat/list", json=body)
        return GroupChatPage(
            chats=[GroupChatRef.model_validate(c) for c in data.get("group_chat_list", [])],
            next_cursor=str(data.get("next_cursor") or ""),
        )

    async def iter_group_chats(
        self,
        *,
        status_filter: int = 0,
        owner_userids: Sequence[str] | None = None,
        cursor: str = "",
        limit: int = 1000,
    ) -> AsyncIterator[GroupChatPage]:
        """Every page of ``groupchat/list`` until ``next_cursor`` is empty."""
        while True:
            page = await self.list_group_chats(
                status_filter=status_filter,
                owner_userids=owner_userids,
                cursor=cursor,
                limit=limit,
            )
            yield page
            cursor = page.next_cursor
            if not cursor:
                return

    async def get_group_chat(self, chat_id: str, need_name: bool = True) -> GroupChat:
        data = await self.call(
            "POST",
            "externalcontact/groupchat/get",
            json={"chat_id": chat_id, "need_name": int(need_name)},
        )
        return GroupChat.model_validate(data["group_chat"])
