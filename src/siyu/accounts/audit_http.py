"""The audit log's HTTP side: the middleware that records unsafe requests, and the mark that an
endpoint already recorded its write (see :mod:`siyu.accounts.audit`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from siyu.accounts.audit import record
from siyu.corps.principal import Principal

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def mark_recorded(request: Request) -> None:
    request.state.audited = True


class AuditMiddleware:
    """Records successful unsafe requests of authenticated principals not recorded otherwise.

    A plain ASGI middleware: it watches the response status and writes the row (in its own
    unit of work, after the request's commit) before the last body chunk goes out, so a client
    reading the log right after its write finds the entry.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif (
                message["type"] == "http.response.body"
                and not message.get("more_body")
                and status < 400
            ):
                await self._record(scope, status)
            await send(message)

        await self.app(scope, receive, watch)

    async def _record(self, scope: Scope, status: int) -> None:
        state = scope.get("state") or {}
        principal: Principal | None = state.get("principal")
        if principal is None or state.get("audited"):
            return
        path = str(scope.get("path", ""))
        template = str(getattr(scope.get("route"), "path", path))
        if path.startswith("/api/v1/") and not template.startswith("/api/v1/"):
            template = "/api/v1" + template  # the route as declared in its domain's router
        client = scope.get("client")
        async with scope["app"].state.db.unit_of_work() as session:
            await record(
                session,
                principal.corp_id,
                actor=principal.name,
                actor_kind=principal.kind,
                user_id=principal.user_id,
                action=f"{scope['method']} {template}",
                target=path,
                status=status,
                ip=client[0] if client else "",
            )
