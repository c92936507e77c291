"""Request-body limits per route, before anything reads the body (issue 14 point 4).

A pure ASGI middleware: a ``Content-Length`` above the route's limit is answered 413 at once,
without reading a byte of the body, authenticating or opening a session; a body without one
(chunked) is counted while the app reads it and aborted with 413 as soon as it passes the
limit. Small by default (JSON bodies); larger on the routes that take files; WeCom's
callbacks are small XML envelopes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from siyu.acquisition.batch import MAX_FILE_BYTES as BATCH_FILE_BYTES
from siyu.acquisition.welcome import MAX_ASSET_BYTES
from siyu.content.endpoints import MAX_READ as CONTENT_FILE_BYTES

KiB = 1024
MiB = 1024 * KiB
DEFAULT_LIMIT = 1 * MiB  # JSON bodies: the largest legitimate one (a segment's rules) is far less
CALLBACK_LIMIT = 64 * KiB  # a WeCom callback is one encrypted XML event
MULTIPART_SLACK = 64 * KiB  # boundaries, part headers and the form fields beside the file

# (path prefix, limit): the first match wins, else DEFAULT_LIMIT
ROUTE_LIMITS: tuple[tuple[str, int], ...] = (
    ("/wecom/callback/", CALLBACK_LIMIT),
    ("/api/v1/content/files", CONTENT_FILE_BYTES + MULTIPART_SLACK),
    ("/api/v1/content/upload", CONTENT_FILE_BYTES + MULTIPART_SLACK),
    ("/api/v1/acquisition/assets", MAX_ASSET_BYTES + MULTIPART_SLACK),
    ("/api/v1/acquisition/channels/batch", BATCH_FILE_BYTES + MULTIPART_SLACK),
    # up to 100 000 customer ids (BatchTagIn): 17 digits and a comma each at most
    ("/api/v1/tags/batch", 2 * MiB),
)


def _size(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n / KiB:g} KiB"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit (the app answers 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=too_large(limit))


def too_large(limit: int) -> str:
    return f"the request body is larger than {_size(limit)}, this route's limit"


class BodyLimitMiddleware:
    """413 for a request body larger than its route's limit, declared or streamed."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int = DEFAULT_LIMIT,
        routes: Iterable[tuple[str, int]] = ROUTE_LIMITS,
    ) -> None:
        self.app = app
        self.default = default
        self.routes = tuple(routes)

    def limit_for(self, path: str) -> int:
        return next((n for prefix, n in self.routes if path.startswith(prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope["headers"])
        if declared == -1:
            await _answer(send, 400, "the Content-Length header is not a number")
            return
        if declared is not None and declared > limit:
            await _answer(send, 413, too_large(limit))
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            # read outside the app's exception handlers (a middleware, a background read)
            if started:
                raise
            await _answer(send, 413, too_large(limit))


def _content_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The declared length; None when absent (chunked), -1 when not a number."""
    for name, value in headers:
        if name == b"content-length":
            try:
                n = int(value)
            except ValueError:
                return -1
            return n if n >= 0 else -1
    return None


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),  # the unread body is not drained
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
