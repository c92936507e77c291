"""Corp settings for admins: WeCom credentials, callback token and AES key, API keys."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from siyu.accounts import repository as repo
from siyu.accounts.schemas import CredentialsIn, CredentialsOut
from siyu.core import secrets as at_rest
from siyu.core.errors import InvalidInput, NotFound
from siyu.corps import service as corps
from siyu.corps.models import ApiKey, Corp
from siyu.db.base import utcnow
from siyu.wecom.crypto import generate_aes_key, generate_token


def mask(value: str) -> str:
    """``abcd••••wxyz``: enough to recognise a secret, never enough to use it."""
    if len(value) <= 8:
        return "•" * len(value)
    return f"{value[:4]}{'•' * 8}{value[-4:]}"


def callback_url(base_url: str, corp: Corp) -> str:
    return f"{base_url.rstrip('/')}/wecom/callback/{corp.wecom_corp_id}"


def view(corp: Corp, *, secret_key: str, base_url: str) -> CredentialsOut:
    creds = corps.credentials(corp, secret_key=secret_key)
    return CredentialsOut(
        wecom_corp_id=corp.wecom_corp_id,
        name=corp.name,
        api_base=corp.api_base,
        agent_id=corp.agent_id,
        timezone=corp.timezone,
        secret_masked=mask(creds.secret),
        callback_url=callback_url(base_url, corp),
        token=creds.token,
        aes_key=creds.aes_key,
    )


def _audit_view(corp: Corp, *, secret_key: str) -> dict[str, Any]:
    creds = corps.credentials(corp, secret_key=secret_key)
    return {
        "name": corp.name,
        "api_base": corp.api_base,
        "agent_id": corp.agent_id,
        "timezone": corp.timezone,
        "secret": mask(creds.secret),
        "token": mask(creds.token),
        "aes_key": mask(creds.aes_key),
    }


def update(
    corp: Corp, body: CredentialsIn, *, secret_key: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply a credentials change; returns masked before / after for the audit log."""
    before = _audit_view(corp, secret_key=secret_key)
    if body.name is not None:
        corp.name = body.name.strip()
    if body.secret is not None:
        corp.secret_enc = at_rest.encrypt(body.secret, secret_key=secret_key)
    if body.api_base is not None and body.api_base.rstrip("/") != corp.api_base:
        corp.api_base = corps.check_api_base(body.api_base)
    if body.agent_id is not None:
        corp.agent_id = body.agent_id
    if body.timezone is not None:
        try:
            ZoneInfo(body.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(f"unknown time zone {body.timezone}") from exc
        corp.timezone = body.timezone
    return before, _audit_view(corp, secret_key=secret_key)


def regenerate(
    corp: Corp, *, token: bool, aes_key: bool, secret_key: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """New callback token and/or EncodingAESKey (paste them into WeCom's admin afterwards)."""
    if not (token or aes_key):
        raise InvalidInput("choose the token, the AES key, or both")
    before = _audit_view(corp, secret_key=secret_key)
    if token:
        corp.token_enc = at_rest.encrypt(generate_token(), secret_key=secret_key)
    if aes_key:
        corp.aes_key_enc = at_rest.encrypt(generate_aes_key(), secret_key=secret_key)
    return before, _audit_view(corp, secret_key=secret_key)


async def list_api_keys(session: AsyncSession, corp_id: int) -> list[ApiKey]:
    return await repo.api_keys(session, corp_id)


async def create_api_key(session: AsyncSession, corp: Corp, *, name: str) -> tuple[ApiKey, str]:
    key = await corps.create_api_key(session, corp, name=name)
    rows = await repo.api_keys(session, corp.id)
    return rows[-1], key


async def revoke_api_key(session: AsyncSession, corp_id: int, key_id: int) -> ApiKey:
    row = await repo.api_key(session, corp_id, key_id)
    if row is None:
        raise NotFound(f"API key {key_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row
