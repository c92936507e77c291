"""Policy layers of the WeCom client: retry policy, process-wide token cache, token auth flow.

:class:`WeComTokenAuth` is an ``httpx.Auth`` flow: it adds ``access_token`` to every request,
fetches it through ``gettoken`` (yielded by the same flow) when the cache has none, and on
40014 / 41001 / 42001 / 42009 drops the cached token, fetches a new one and replays once.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pydantic_core

from siyu.wecom.errors import (
    BUSY_ERRCODE,
    RATE_LIMIT_ERRCODES,
    TOKEN_ERRCODES,
    WeComRateLimited,
    WeComTokenError,
    WeComUnavailable,
)

__all__ = ["RetryPolicy", "TokenCache", "WeComTokenAuth", "reply_errcode", "token_cache"]


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of transient failures: exponential backoff with full jitter.

    An attempt is retried while fewer than ``max_attempts`` were made and the next sleep still
    ends within ``budget`` seconds of the first attempt.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    budget: float = 30.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Sleep before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        cap = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return (rng or random).uniform(cap / 2, cap)


@dataclass
class _Token:
    value: str
    expires_at: float


class TokenCache:
    """Access tokens shared by every client of the process, keyed by (base_url, corp, secret)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str, str], _Token] = {}

    def get(self, key: tuple[str, str, str]) -> str | None:
        with self._lock:
            tok = self._tokens.get(key)
            if tok is None or tok.expires_at <= self._clock():
                return None
            return tok.value

    def put(self, key: tuple[str, str, str], value: str, expires_in: int) -> None:
        margin = min(300.0, expires_in * 0.1)
        with self._lock:
            self._tokens[key] = _Token(value, self._clock() + max(expires_in - margin, 1.0))

    def invalidate(self, key: tuple[str, str, str], value: str | None = None) -> None:
        """Drop the token of ``key`` (only if it is still ``value``, when given)."""
        with self._lock:
            tok = self._tokens.get(key)
            if tok is not None and (value is None or tok.value == value):
                del self._tokens[key]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


#: the process-wide cache every WeComClient uses unless given another
token_cache = TokenCache()


_UNDECODED = object()


def _decode(body: bytes) -> Any:
    """The JSON value of a reply body, or None when it is not JSON.

    pydantic-core's Rust parser decodes a 100-relation ``batch/get_by_user`` page about three
    times faster than ``json.loads``; whatever it refuses (a body in UTF-16, lone surrogates)
    goes through ``json.loads`` as ``httpx.Response.json`` would, so what decodes is unchanged.
    """
    try:
        return pydantic_core.from_json(body)
    except ValueError:
        pass
    try:
        return json.loads(body)
    except ValueError:
        return None


def reply_errcode(response: httpx.Response) -> tuple[int, str, dict[str, Any]]:
    """WeCom's errcode, errmsg and the decoded reply; the body is decoded once per response
    (the auth flow and the client both look at it: a sync of 100k customers decodes ~2,000 pages).
    """
    memo = response.extensions.get("siyu.json", _UNDECODED)
    if memo is _UNDECODED:
        memo = _decode(response.content)
        response.extensions["siyu.json"] = memo
    data = memo
    if data is None:
        return BUSY_ERRCODE, f"HTTP {response.status_code}: body is not JSON", {}
    if not isinstance(data, dict):
        return BUSY_ERRCODE, "reply is not a JSON object", {}
    return int(data.get("errcode", 0) or 0), str(data.get("errmsg", "")), data


def _path_of(request: httpx.Request) -> str:
    return request.url.path.split("/cgi-bin/", 1)[-1]


class WeComTokenAuth(httpx.Auth):
    """Adds ``access_token``; fetches, caches, refreshes it and replays once on token errors."""

    requires_response_body = True

    def __init__(
        self, *, base_url: str, corp_id: str, secret: str, cache: TokenCache | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.corp_id = corp_id
        self.secret = secret
        self.cache = cache or token_cache
        self.key = (self.base_url, corp_id, secret)
        self._lock: asyncio.Lock | None = None

    def _token_request(self) -> httpx.Request:
        return httpx.Request(
            "GET",
            f"{self.base_url}/cgi-bin/gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
        )

    def _read_token(self, response: httpx.Response) -> str:
        if response.status_code >= 500:
            raise WeComUnavailable(BUSY_ERRCODE, f"HTTP {response.status_code}", "gettoken")
        code, msg, data = reply_errcode(response)
        if code in RATE_LIMIT_ERRCODES:
            raise WeComRateLimited(code, msg, "gettoken")
        if code == BUSY_ERRCODE:
            raise WeComUnavailable(code, msg, "gettoken")
        if code != 0 or not data.get("access_token"):
            raise WeComTokenError(code, msg or "no access_token in reply", "gettoken")
        token = str(data["access_token"])
        self.cache.put(self.key, token, int(data.get("expires_in", 7200)))
        return token

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._lock is None:
            self._lock = asyncio.Lock()
        token = self.cache.get(self.key)
        if token is None:
            async with self._lock:  # one gettoken at a time per client
                token = self.cache.get(self.key)
                if token is None:
                    response = yield self._token_request()
                    await response.aread()
                    token = self._read_token(response)
        response = yield self._with_token(request, token)
        await response.aread()
        code, msg, _ = reply_errcode(response)
        if code not in TOKEN_ERRCODES:
            return
        self.cache.invalidate(self.key, token)
        async with self._lock:
            fresh = self.cache.get(self.key)
            if fresh is None:
                token_response = yield self._token_request()
                await token_response.aread()
                fresh = self._read_token(token_response)
        response = yield self._with_token(request, fresh)
        await response.aread()
        code, msg, _ = reply_errcode(response)
        if code in TOKEN_ERRCODES:
            self.cache.invalidate(self.key, fresh)
            raise WeComTokenError(code, msg, _path_of(request))

    def sync_auth_flow(self, request: httpx.Request) -> Any:
        raise RuntimeError("WeComTokenAuth works with httpx.AsyncClient only")

    @staticmethod
    def _with_token(request: httpx.Request, token: str) -> httpx.Request:
        request.url = request.url.copy_set_param("access_token", token)
        return request
