"""Corps: registration with encrypted credentials, API keys, and a WeCom client per corp."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core import secrets as at_rest
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.core.settings import WECOM_API, get_settings
from siyu.corps.models import ApiKey, Corp
from siyu.db.base import utcnow
from siyu.wecom.client import WeComClient
from siyu.wecom.crypto import CallbackCrypto, aes_key_bytes

KEY_PREFIX = "sy_"
_CORP_ID = re.compile(r"^[A-Za-z0-9_-]{3,64}$")


@dataclass(frozen=True)
class Credentials:
    secret: str
    token: str
    aes_key: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def validate_callback_config(token: str, aes_key: str) -> None:
    """Raise InvalidInput unless the token and EncodingAESKey have WeCom's shapes."""
    if not (1 <= len(token) <= 32 and token.isalnum()):
        raise InvalidInput("the callback token must be 1–32 letters or digits")
    try:
        aes_key_bytes(aes_key)
    except ValueError as exc:
        raise InvalidInput(f"the EncodingAESKey is invalid: {exc}") from exc


async def add_corp(
    session: AsyncSession,
    *,
    secret_key: str,
    name: str,
    wecom_corp_id: str,
    secret: str,
    token: str,
    aes_key: str,
    api_base: str = WECOM_API,
    agent_id: int | None = None,
    timezone: str = "Asia/Shanghai",
) -> Corp:
    """Register a corp; its secret, token and AES key are stored encrypted."""
    _validate(wecom_corp_id, name, secret, token, aes_key, api_base)
    exists = await session.scalar(select(Corp.id).where(Corp.wecom_corp_id == wecom_corp_id))
    if exists:
        raise Conflict(f"corp {wecom_corp_id} is already registered")
    corp = Corp(
        wecom_corp_id=wecom_corp_id,
        name=name.strip(),
        api_base=check_api_base(api_base),
        secret_enc=at_rest.encrypt(secret, secret_key=secret_key),
        token_enc=at_rest.encrypt(token, secret_key=secret_key),
        aes_key_enc=at_rest.encrypt(aes_key, secret_key=secret_key),
        agent_id=agent_id,
        timezone=timezone,
    )
    session.add(corp)
    await session.flush()
    return corp


def _validate(
    wecom_corp_id: str, name: str, secret: str, token: str, aes_key: str, api_base: str
) -> None:
    if not _CORP_ID.match(wecom_corp_id):
        raise InvalidInput("the corp id must be 3–64 letters, digits, '-' or '_'")
    if not secret:
        raise InvalidInput("the secret must not be empty")
    if not name.strip():
        raise InvalidInput("the corp name must not be empty")
    validate_callback_config(token, aes_key)
    check_api_base(api_base)


def check_api_base(api_base: str) -> str:
    """The base without its trailing slash, if the deployment allows it (else InvalidInput).

    Every WeCom call sends the corp's secret to its base: only WeCom's own host, plus the
    bases of ``SIYU_WECOM_API_BASES`` (a sandbox), may be set; never by the HTTP API alone."""
    base = api_base.strip().rstrip("/")
    if base not in get_settings().allowed_api_bases:
        raise InvalidInput(
            f"the API base must be WeCom's ({WECOM_API}); another one (a sandbox) must be "
            "allowed by the deployment setting SIYU_WECOM_API_BASES"
        )
    return base


async def replace_credentials(
    session: AsyncSession,
    *,
    secret_key: str,
    name: str,
    wecom_corp_id: str,
    secret: str,
    token: str,
    aes_key: str,
    api_base: str = WECOM_API,
    agent_id: int | None = None,
) -> Corp:
    """Store a registered corp's credentials anew, encrypted with the current key.

    The stored ones are not read, so this works after ``SIYU_SECRET_KEY`` changed and they
    became unreadable; every record, API key and setting of the corp stays."""
    _validate(wecom_corp_id, name, secret, token, aes_key, api_base)
    corp = await get_by_wecom_id(session, wecom_corp_id)
    if corp is None:
        raise NotFound(f"corp {wecom_corp_id} is not registered; add it without --replace")
    corp.name = name.strip()
    corp.api_base = check_api_base(api_base)
    corp.secret_enc = at_rest.encrypt(secret, secret_key=secret_key)
    corp.token_enc = at_rest.encrypt(token, secret_key=secret_key)
    corp.aes_key_enc = at_rest.encrypt(aes_key, secret_key=secret_key)
    if agent_id is not None:
        corp.agent_id = agent_id
    await session.flush()
    return corp


def credentials(corp: Corp, *, secret_key: str) -> Credentials:
    """Decrypt a corp's stored credentials (:class:`SecretDecryptError` naming the corp)."""
    try:
        return Credentials(
            secret=at_rest.decrypt(corp.secret_enc, secret_key=secret_key),
            token=at_rest.decrypt(corp.token_enc, secret_key=secret_key),
            aes_key=at_rest.decrypt(corp.aes_key_enc, secret_key=secret_key),
        )
    except at_rest.SecretDecryptError as exc:
        raise at_rest.SecretDecryptError(
            f"the stored WeCom secret of corp {corp.name} ({corp.wecom_corp_id}) can't be "
            f"decrypted: {at_rest.FIX}"
        ) from exc


def callback_crypto(corp: Corp, *, secret_key: str) -> CallbackCrypto:
    creds = credentials(corp, secret_key=secret_key)
    return CallbackCrypto(creds.token, creds.aes_key, corp.wecom_corp_id)


def wecom_client(
    corp: Corp, *, secret_key: str, transport: httpx.AsyncBaseTransport | None = None
) -> WeComClient:
    """A WeCom client for this corp (real WeCom or the sandbox, by ``api_base``)."""
    return WeComClient(
        corp_id=corp.wecom_corp_id,
        secret=credentials(corp, secret_key=secret_key).secret,
        base_url=corp.api_base,
        transport=transport,
    )


def client_for(corp: Corp) -> WeComClient:
    """A WeCom client for a job: the secret key from the process settings."""
    return wecom_client(corp, secret_key=get_settings().secret_key.get_secret_value())


async def get_by_wecom_id(session: AsyncSession, wecom_corp_id: str) -> Corp | None:
    return await session.scalar(select(Corp).where(Corp.wecom_corp_id == wecom_corp_id))


async def get(session: AsyncSession, corp_id: int) -> Corp:
    corp = await session.get(Corp, corp_id)
    if corp is None:
        raise NotFound(f"corp {corp_id} does not exist")
    return corp


async def resolve(session: AsyncSession, ref: str | None) -> Corp:
    """A corp by WeCom corp id or numeric id; with no ref, the only corp there is."""
    if ref:
        corp = await get_by_wecom_id(session, ref)
        if corp is None and ref.isdigit():
            corp = await session.get(Corp, int(ref))
        if corp is None:
            raise NotFound(f"no corp {ref} is registered (see `siyu corp list`)")
        return corp
    corps = list((await session.scalars(select(Corp).order_by(Corp.id))).all())
    if not corps:
        raise NotFound("no corp is registered yet: run `siyu corp add` or `siyu demo`")
    if len(corps) > 1:
        raise InvalidInput(
            "several corps are registered: say which one (--corp on the command line, the corp"
            " when signing in)"
        )
    return corps[0]


async def list_corps(session: AsyncSession) -> list[Corp]:
    return list((await session.scalars(select(Corp).order_by(Corp.id))).all())


async def create_api_key(session: AsyncSession, corp: Corp, *, name: str = "default") -> str:
    """Create an API key; the plaintext is returned once and only its hash is kept."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(corp_id=corp.id, name=name, prefix=key[:10], key_hash=_hash(key)))
    await session.flush()
    return key


async def authenticate(session: AsyncSession, key: str) -> Corp | None:
    """The corp an unrevoked API key belongs to, or None."""
    row = await session.scalar(
        select(ApiKey).where(ApiKey.key_hash == _hash(key), ApiKey.revoked_at.is_(None))
    )
    if row is None:
        return None
    return await session.get(Corp, row.corp_id)


async def authenticate_key(session: AsyncSession, key: str) -> tuple[Corp, int, str] | None:
    """(corp, key id, the name a person reads: the key's name, else its prefix) of an
    unrevoked API key, or None."""
    row = await session.scalar(
        select(ApiKey).where(ApiKey.key_hash == _hash(key), ApiKey.revoked_at.is_(None))
    )
    if row is None:
        return None
    corp = await session.get(Corp, row.corp_id)
    return (corp, row.id, row.name or row.prefix) if corp is not None else None


async def allocate_customer_seqs(session: AsyncSession, corp_id: int, count: int) -> int:
    """Reserve ``count`` dense customer numbers; returns the first (atomic on both dialects)."""
    result = await session.execute(
        update(Corp)
        .where(Corp.id == corp_id)
        .values(next_customer_seq=Corp.next_customer_seq + count)
        .returning(Corp.next_customer_seq)
    )
    return int(result.scalar_one()) - count


async def mark_synced(session: AsyncSession, corp_id: int) -> None:
    await session.execute(update(Corp).where(Corp.id == corp_id).values(last_synced_at=utcnow()))
