"""WeCom's JS-SDK on the server side: the two jsapi tickets and the signature.

- :func:`sign` is WeCom's algorithm (developer.work.weixin.qq.com/document/path/96909, "JS-SDK
  签名算法"): SHA-1 over ``jsapi_ticket=…&noncestr=…&timestamp=…&url=…`` in exactly this order,
  nothing URL-encoded, the URL without ``#`` and what follows it.
- :func:`corp_ticket` (``GET /cgi-bin/get_jsapi_ticket``, for ``getConfigSignature``) and
  :func:`agent_ticket` (``GET /cgi-bin/ticket/get?type=agent_config``, for
  ``getAgentConfigSignature``) fetch a ticket with the client's access token and keep it in a
  process-wide :class:`~siyu.wecom.auth.TokenCache` (the access token's own cache mechanism)
  until shortly before its ``expires_in`` (7,200 s): WeCom allows 400 fetches per corp and 100
  per app an hour. A ticket is a credential: it is never logged and never leaves the server.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from siyu.wecom.auth import TokenCache
from siyu.wecom.errors import WeComError

if TYPE_CHECKING:
    from siyu.wecom.client import WeComClient

__all__ = [
    "Signature",
    "agent_ticket",
    "corp_ticket",
    "new_signature",
    "sign",
    "strip_fragment",
    "ticket_cache",
]

#: the process-wide cache of jsapi tickets, keyed (base_url, corp id, kind + app secret digest)
ticket_cache = TokenCache()
_locks: dict[tuple[int, tuple[str, str, str]], asyncio.Lock] = {}


def strip_fragment(url: str) -> str:
    """The URL as WeCom signs it: without ``#`` and everything after it."""
    return url.split("#", 1)[0]


def sign(ticket: str, noncestr: str, timestamp: int | str, url: str) -> str:
    """The JS-SDK signature (hex SHA-1) of a page URL with a jsapi ticket."""
    text = (
        f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={strip_fragment(url)}"
    )
    return hashlib.sha1(text.encode()).hexdigest()


@dataclass(frozen=True)
class Signature:
    timestamp: int
    nonce_str: str
    signature: str


def new_signature(ticket: str, url: str, *, now: float | None = None) -> Signature:
    """A fresh timestamp and nonce, and the signature of ``url`` with them."""
    timestamp = int(time.time() if now is None else now)
    nonce = secrets.token_urlsafe(12)
    return Signature(timestamp, nonce, sign(ticket, nonce, timestamp, url))


def _key(client: WeComClient, kind: str) -> tuple[str, str, str]:
    # the agent ticket belongs to the app whose secret got the access token
    app = hashlib.sha256(client.auth.secret.encode()).hexdigest()[:16]
    return (client.base_url, client.corp_id, f"{kind}:{app}")


async def _ticket(
    client: WeComClient, kind: str, path: str, params: dict[str, str] | None, cache: TokenCache
) -> str:
    key = _key(client, kind)
    ticket = cache.get(key)
    if ticket is not None:
        return ticket
    lock = _locks.setdefault((id(asyncio.get_running_loop()), key), asyncio.Lock())
    async with lock:  # one fetch at a time per ticket in this event loop
        ticket = cache.get(key)
        if ticket is not None:
            return ticket
        data = await client.call("GET", path, params=params)
        ticket = str(data.get("ticket") or "")
        if not ticket:
            raise WeComError(-1, "the reply has no ticket", path)
        cache.put(key, ticket, int(data.get("expires_in") or 7200))
        return ticket


async def corp_ticket(client: WeComClient, *, cache: TokenCache | None = None) -> str:
    """The corp's jsapi ticket (``get_jsapi_ticket``), for ``getConfigSignature``."""
    return await _ticket(client, "jsapi", "get_jsapi_ticket", None, cache or ticket_cache)


async def agent_ticket(client: WeComClient, *, cache: TokenCache | None = None) -> str:
    """The app's jsapi ticket (``ticket/get?type=agent_config``), for agentConfig."""
    return await _ticket(
        client, "agent_config", "ticket/get", {"type": "agent_config"}, cache or ticket_cache
    )
