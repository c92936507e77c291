"""Admin-only routes: WeCom credentials and callback, API keys, users and roles, audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from siyu.accounts import audit, audit_http, audit_text, corp_settings, service
from siyu.accounts.schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    AuditOut,
    CredentialsIn,
    CredentialsOut,
    RegenerateIn,
    UserCreated,
    UserIn,
    UserOut,
    UserPatch,
)
from siyu.core.bounds import Id
from siyu.core.pagination import Page, encode_cursor, id_page_bounds
from siyu.core.times import Zoned
from siyu.corps.deps import AdminDep, SessionDep, SettingsDep

router = APIRouter(prefix="/settings", tags=["settings"])


@router.get("/wecom", response_model=CredentialsOut)
async def get_wecom(principal: AdminDep, settings: SettingsDep) -> CredentialsOut:
    """Credentials (secret masked) and the callback URL, token and AES key for WeCom's admin."""
    return corp_settings.view(
        principal.corp,
        secret_key=settings.secret_key.get_secret_value(),
        base_url=settings.base_url,
    )


@router.put("/wecom", response_model=CredentialsOut)
async def put_wecom(
    request: Request,
    session: SessionDep,
    principal: AdminDep,
    settings: SettingsDep,
    body: CredentialsIn,
) -> CredentialsOut:
    key = settings.secret_key.get_secret_value()
    before, after = corp_settings.update(principal.corp, body, secret_key=key)
    await audit.by(session, principal, "settings.wecom.update", before=before, after=after)
    audit_http.mark_recorded(request)
    return corp_settings.view(principal.corp, secret_key=key, base_url=settings.base_url)


@router.post("/wecom/regenerate", response_model=CredentialsOut)
async def regenerate(
    request: Request,
    session: SessionDep,
    principal: AdminDep,
    settings: SettingsDep,
    body: RegenerateIn,
) -> CredentialsOut:
    """New callback token and/or EncodingAESKey; paste them into WeCom's admin console."""
    key = settings.secret_key.get_secret_value()
    before, after = corp_settings.regenerate(
        principal.corp, token=body.token, aes_key=body.aes_key, secret_key=key
    )
    await audit.by(session, principal, "settings.wecom.regenerate", before=before, after=after)
    audit_http.mark_recorded(request)
    return corp_settings.view(principal.corp, secret_key=key, base_url=settings.base_url)


@router.get("/api-keys", response_model=list[ApiKeyOut])
async def list_api_keys(session: SessionDep, principal: AdminDep) -> list[ApiKeyOut]:
    rows = await corp_settings.list_api_keys(session, principal.corp_id)
    return [ApiKeyOut.model_validate(r) for r in rows]


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
async def create_api_key(
    request: Request, session: SessionDep, principal: AdminDep, body: ApiKeyIn
) -> ApiKeyCreated:
    row, key = await corp_settings.create_api_key(session, principal.corp, name=body.name)
    await audit.by(
        session,
        principal,
        "settings.api_key.create",
        target=f"api_key:{row.id}",
        after={"name": row.name, "prefix": row.prefix},
    )
    audit_http.mark_recorded(request)
    return ApiKeyCreated(**ApiKeyOut.model_validate(row).model_dump(), key=key)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut)
async def revoke_api_key(
    request: Request, session: SessionDep, principal: AdminDep, key_id: Id
) -> ApiKeyOut:
    row = await corp_settings.revoke_api_key(session, principal.corp_id, key_id)
    await audit.by(
        session,
        principal,
        "settings.api_key.revoke",
        target=f"api_key:{row.id}",
        before={"name": row.name, "prefix": row.prefix, "revoked": False},
        after={"name": row.name, "prefix": row.prefix, "revoked": True},
    )
    audit_http.mark_recorded(request)
    return ApiKeyOut.model_validate(row)


@router.get("/users", response_model=list[UserOut])
async def list_users(session: SessionDep, principal: AdminDep) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in await service.list_users(session, principal.corp_id)]


@router.post("/users", response_model=UserCreated, status_code=201)
async def create_user(
    request: Request, session: SessionDep, principal: AdminDep, body: UserIn
) -> UserCreated:
    """Create a user; without a password a one-time password is generated and returned once."""
    user, password = await service.create_user(
        session,
        principal.corp_id,
        username=body.username,
        role=body.role,
        userid=body.userid,
        display_name=body.display_name,
        password=body.password,
        must_change_password=True,  # the admin knows it: the user picks their own
    )
    await audit.by(
        session,
        principal,
        "settings.user.create",
        target=f"user:{user.id}",
        after=service.snapshot(user),
    )
    audit_http.mark_recorded(request)
    return UserCreated(
        **UserOut.model_validate(user).model_dump(),
        password=None if body.password else password,
    )


@router.patch("/users/{user_id}", response_model=UserOut)
async def update_user(
    request: Request, session: SessionDep, principal: AdminDep, user_id: Id, body: UserPatch
) -> UserOut:
    """Change a user's role, linked employee or display name, or disable / enable them."""
    user, before, after = await service.update_user(
        session,
        principal.corp_id,
        user_id,
        acting_user_id=principal.user_id,
        role=body.role,
        active=body.active,
        userid=body.userid,
        display_name=body.display_name,
    )
    await audit.by(
        session,
        principal,
        "settings.user.update",
        target=f"user:{user.id}",
        before=before,
        after=after,
    )
    audit_http.mark_recorded(request)
    return UserOut.model_validate(user)


@router.get("/audit", response_model=Page[AuditOut])
async def audit_log(
    session: SessionDep,
    principal: AdminDep,
    actor: str | None = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    since: Zoned | None = None,
    until: Zoned | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[AuditOut]:
    """Every write, newest first; filter by actor, action (substring) and time."""
    rows = await audit.page(
        session,
        principal.corp_id,
        actor=actor,
        action=action,
        since=since,
        until=until,
        before_id=id_page_bounds(cursor),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    said = await audit_text.sentences(session, principal.corp_id, rows)
    return Page(
        items=[
            AuditOut.model_validate(r).model_copy(
                update={"summary": t.zh, "summary_en": t.en, "link": t.link}
            )
            for r, t in zip(rows, said, strict=True)
        ],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )
