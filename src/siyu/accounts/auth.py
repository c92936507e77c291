"""Authenticating a request by its session cookie (the API-key path lives in api.deps)."""

from __future__ import annotations

import hmac

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from siyu.accounts import repository as repo
from siyu.accounts import service, sessions
from siyu.core.errors import Forbidden, PasswordChangeRequired
from siyu.core.settings import Settings
from siyu.corps.models import Corp
from siyu.corps.principal import Principal

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
#: what a user who must change their password may still do
WHILE_MUST_CHANGE = frozenset(f"/api/v1/auth/{p}" for p in ("password", "logout", "me", "session"))


async def from_cookie(
    request: Request, session: AsyncSession, settings: Settings
) -> Principal | None:
    """The principal of a valid session cookie; enforces the CSRF header on unsafe methods and
    the password change a user was given a password for. A cookie in use is re-signed now and
    then (:func:`sessions.refreshed`, set on the response by ``SessionCookieMiddleware``)."""
    value = request.cookies.get(sessions.SESSION_COOKIE)
    if not value:
        return None
    secret = settings.secret_key.get_secret_value()
    data = sessions.read(secret, value, idle=settings.session_idle_minutes * 60)
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
    if user.must_change_password and request.url.path not in WHILE_MUST_CHANGE:
        raise PasswordChangeRequired(
            "change the one-time password you were given before doing anything else "
            "(POST /api/v1/auth/password)"
        )
    corp = await session.get(Corp, user.corp_id)
    if corp is None:
        return None
    principal = await service.principal_for(session, corp, user)
    request.state.csrf = data.csrf
    request.state.must_change_password = user.must_change_password
    request.state.session_data = data
    renewed = sessions.refreshed(secret, data)
    if renewed is not None:
        request.state.session_renewed = (renewed, data.csrf, data.started)
    return principal
