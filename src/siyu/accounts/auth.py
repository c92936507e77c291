"""Authenticating a request by its session cookie (the API-key path lives in api.deps)."""

from __future__ import annotations

import hmac

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from siyu.accounts import repository as repo
from siyu.accounts import service, sessions
from siyu.core.errors import Forbidden
from siyu.core.settings import Settings
from siyu.corps.models import Corp
from siyu.corps.principal import Principal

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


async def from_cookie(
    request: Request, session: AsyncSession, settings: Settings
) -> Principal | None:
    """The principal of a valid session cookie; enforces the CSRF header on unsafe methods."""
    value = request.cookies.get(sessions.SESSION_COOKIE)
    if not value:
        return None
    data = sessions.read(settings.secret_key.get_secret_value(), value)
    if data is None:
        return None
    user = await repo.user_by_id(session, data.user_id)
    if user is None or not user.active or user.session_epoch != data.epoch:
        return None
    if request.method not in SAFE:
        sent = request.headers.get(sessions.CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), data.csrf.encode()):
            raise Forbidden(
                f"missing or wrong {sessions.CSRF_HEADER} header (copy it from the "
                f"{sessions.CSRF_COOKIE} cookie)"
            )
    corp = await session.get(Corp, user.corp_id)
    if corp is None:
        return None
    principal = await service.principal_for(session, corp, user)
    request.state.csrf = data.csrf
    return principal
