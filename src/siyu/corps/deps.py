"""What every router needs: the unit of work per request, the principal, its corp, a WeCom client.

These sit below every domain so that a domain's router imports no ``siyu.api`` module. A console
session cookie is turned into a principal by ``siyu.accounts`` (above this layer): the app
factory installs that resolver as ``app.state.cookie_principal`` (see :data:`CookieResolver`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.settings import Settings
from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.corps.principal import Principal
from siyu.db.session import Database
from siyu.wecom.client import WeComClient

#: ``(request, session, settings) -> principal or None``: a console session cookie's principal
CookieResolver = Callable[[Request, AsyncSession, Settings], Awaitable[Principal | None]]

bearer = HTTPBearer(auto_error=False, description="a corp API key: `Authorization: Bearer sy_...`")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work; a GET or HEAD reads one snapshot throughout."""
    snapshot = request.method in ("GET", "HEAD")
    async with get_db(request).unit_of_work(snapshot=snapshot) as session:
        yield session


# scope="function": the commit happens before the response is sent.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


async def _principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """An API key (``Authorization: Bearer``) or a console session cookie (see accounts)."""
    principal: Principal | None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        key = await corps.authenticate_key(session, credentials.credentials)
        if key is None:
            raise HTTPException(
                401,
                "the API key is not valid or was revoked",
                headers={"WWW-Authenticate": "Bearer"},
            )
        corp, key_id, key_name = key  # what was done with it reads as the key's name
        principal = Principal(corp=corp, role="integrator", name=key_name, api_key_id=key_id)
    else:
        resolve: CookieResolver | None = getattr(request.app.state, "cookie_principal", None)
        principal = (
            None if resolve is None else await resolve(request, session, get_settings(request))
        )
        if principal is None:
            raise HTTPException(
                401,
                "sign in, or send an API key: Authorization: Bearer <key>",
                headers={"WWW-Authenticate": "Bearer"},
            )
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(_principal)]


async def _corp(principal: PrincipalDep) -> Corp:
    """The corp of a principal with access to the whole corp (admin, operator, API key).

    Routes that serve scoped roles (manager, staff) take :data:`PrincipalDep` instead and pass
    its data scope to their services.
    """
    principal.require_full_access()
    return principal.corp


async def _admin(principal: PrincipalDep) -> Principal:
    principal.require_admin()
    return principal


AdminDep = Annotated[Principal, Depends(_admin)]


CorpDep = Annotated[Corp, Depends(_corp)]


async def _wecom(request: Request, principal: PrincipalDep) -> AsyncIterator[WeComClient]:
    settings = get_settings(request)
    corp = principal.corp
    transport = getattr(request.app.state, "wecom_transport", None)
    async with corps.wecom_client(
        corp, secret_key=settings.secret_key.get_secret_value(), transport=transport
    ) as client:
        yield client


WeComDep = Annotated[WeComClient, Depends(_wecom, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def public_url(request: Request, route: str, **params: str) -> str:
    """The absolute URL of a named route as people and WeCom reach it: under
    ``SIYU_PUBLIC_URL`` when set, never the request's Host header then. Unset, the request's
    own URL is used: `siyu serve` only runs so on loopback (a demo on this machine)."""
    path = str(request.app.url_path_for(route, **params))
    base = get_settings(request).public_url.rstrip("/")
    return f"{base}{path}" if base else str(request.url_for(route, **params))
