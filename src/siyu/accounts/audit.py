"""The audit log: one row per write.

Two ways rows arrive (see the README, "Audit log"):

- :func:`record` is called by services for writes whose meaning the request does not carry
  (sign-ins, settings with their before / after values); endpoints that did so mark the
  request with ``audit_http.mark_recorded``;
- ``audit_http.AuditMiddleware`` records every other successful unsafe request (POST, PUT, PATCH,
  DELETE answered < 400) made by an authenticated principal: who, the route, the target path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.accounts import audit_text
from siyu.accounts import repository as repo
from siyu.accounts.models import AuditEntry
from siyu.corps.principal import Principal


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
        actions=audit_text.actions_saying(action or ""),
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )
