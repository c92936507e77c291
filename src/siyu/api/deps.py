"""Dependencies: the unit of work per request, the authenticated corp, a WeCom client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.settings import Settings
from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.db.session import Database
from siyu.wecom.client import WeComClient

bearer = HTTPBearer(auto_error=False, description="a corp API key: `Authorization: Bearer sy_...`")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_db(request).unit_of_work() as session:
        yield session


# scope="function": the commit happens before the response is sent.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


async def _corp(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Corp:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            401,
            "an API key is required: Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    corp = await corps.authenticate(session, credentials.credentials)
    if corp is None:
        raise HTTPException(
            401, "the API key is not valid or was revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    return corp


CorpDep = Annotated[Corp, Depends(_corp)]


async def _wecom(request: Request, corp: CorpDep) -> AsyncIterator[WeComClient]:
    settings = get_settings(request)
    transport = getattr(request.app.state, "wecom_transport", None)
    async with corps.wecom_client(
        corp, secret_key=settings.secret_key.get_secret_value(), transport=transport
    ) as client:
        yield client


WeComDep = Annotated[WeComClient, Depends(_wecom, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
