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
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

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


class AuditMiddleware(BaseHTTPMiddleware):
    """Records successful unsafe requests of authenticated principals not recorded otherwise."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if request.method not in UNSAFE or response.status_code >= 400:
            return response
        principal: Principal | None = getattr(request.state, "principal", None)
        if principal is None or getattr(request.state, "audited", False):
            return response
        route = request.scope.get("route")
        template = str(getattr(route, "path", request.url.path))
        if request.url.path.startswith("/api/v1/") and not template.startswith("/api/v1/"):
            template = "/api/v1" + template  # the route as declared in its domain's router
        async with request.app.state.db.unit_of_work() as session:
            await record(
                session,
                principal.corp_id,
                actor=principal.name,
                actor_kind=principal.kind,
                user_id=principal.user_id,
                action=f"{request.method} {template}",
                target=request.url.path,
                status=response.status_code,
                ip=request.client.host if request.client else "",
            )
        return response
