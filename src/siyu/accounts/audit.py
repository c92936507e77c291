"""The audit log: one row per write.

Two ways rows arrive (see the README, "Audit log"):

- :func:`record` is called by services for writes whose meaning the request does not carry
  (sign-ins, settings with their before / after values); endpoints that did so mark the
  request with :func:`mark_recorded`;
- :class:`AuditMiddleware` records every other successful unsafe request (POST, PUT, PATCH,
  DELETE answered < 400) made by an authenticated principal: who, the route, the target path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from siyu.accounts import repository as repo
from siyu.accounts.models import AuditEntry
from siyu.core.auth import Principal

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def record(
    session: AsyncSession,
    corp_id: int,
    *,
    actor: str,
    actor_kind: str,
    action: str,
    target: str = "",
    user_id: int | None = None,
    status: int | None = None,
    ip: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            corp_id=corp_id,
            actor=actor[:100],
            actor_kind=actor_kind,
            user_id=user_id,
            action=action[:100],
            target=target[:300],
            status=status,
            ip=ip[:64],
            before=before,
            after=after,
        )
    )
    await session.flush()


async def by(
    session: AsyncSession,
    principal: Principal,
    action: str,
    *,
    target: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record a write done by ``principal``."""
    await record(
        session,
        principal.corp_id,
        actor=principal.name,
        actor_kind=principal.kind,
        user_id=principal.user_id,
        action=action,
        target=target,
        before=before,
        after=after,
    )


def mark_recorded(request: Request) -> None:
    request.state.audited = True


async def page(
    session: AsyncSession,
    corp_id: int,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    return await repo.audit_page(
        session,
        corp_id,
        actor=actor,
        action=action,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )


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
