"""Corp secrets are encrypted at rest with a key derived from SIYU_SECRET_KEY."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from siyu.core import secrets
from siyu.core.secrets import SecretDecryptError
from siyu.corps import service as corps
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox


def test_round_trip_and_wrong_key() -> None:
    token = secrets.encrypt("s3cr3t", secret_key="k1")
    assert "s3cr3t" not in token
    assert secrets.decrypt(token, secret_key="k1") == "s3cr3t"
    with pytest.raises(SecretDecryptError, match="SIYU_SECRET_KEY"):
        secrets.decrypt(token, secret_key="k2")


def test_stored_corp_has_no_plaintext_secret(db: Database, corp: CorpHandle, sb: Sandbox) -> None:
    async def row() -> tuple[str, ...]:
        async with db.unit_of_work() as s:
            r = (
                await s.execute(text("SELECT secret_enc, token_enc, aes_key_enc FROM corps"))
            ).one()
            c = await corps.get(s, corp.id)
            creds = corps.credentials(c, secret_key="test-secret-key")
            assert (creds.secret, creds.token, creds.aes_key) == (
                sb.config.secret,
                sb.config.token,
                sb.config.aes_key,
            )
            return tuple(r)

    stored = asyncio.run(row())
    for value in (sb.config.secret, sb.config.token, sb.config.aes_key):
        assert all(value not in cell for cell in stored)
