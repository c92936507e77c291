"""Routes that need WeCom answer a clear sentence, not a 500, when the corp's stored secret can't
be decrypted (SIYU_SECRET_KEY changed) or WeCom can't be reached; nothing is written."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select, update

from siyu.core import secrets as at_rest
from siyu.corps.models import Corp
from siyu.customers.models import TagGroup
from siyu.db.session import Database
from tests.conftest import CorpHandle


async def _set(db: Database, corp_id: int, **values: str) -> None:
    async with db.unit_of_work() as s:
        await s.execute(update(Corp).where(Corp.id == corp_id).values(**values))


async def _groups(db: Database, corp_id: int) -> int:
    async with db.unit_of_work() as s:
        return int(
            await s.scalar(
                select(func.count()).select_from(TagGroup).where(TagGroup.corp_id == corp_id)
            )
            or 0
        )


def test_undecryptable_secret_is_a_503_with_the_fix(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    foreign = at_rest.encrypt("the-secret", secret_key="a key this server never had")
    asyncio.run(_set(db, corp.id, secret_enc=foreign))
    r = api.post("/api/v1/tags/groups", json={"name": "会员等级", "tags": ["金卡"]})
    assert r.status_code == 503, r.text
    detail = r.json()["detail"]
    assert "can't be decrypted" in detail and "SIYU_SECRET_KEY changed" in detail
    assert corp.wecom_corp_id in detail
    assert asyncio.run(_groups(db, corp.id)) == 0
    # routes that do not call WeCom keep working
    assert api.get("/api/v1/tags/groups").status_code == 200


def test_unreachable_wecom_is_a_503_not_a_500(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(_set(db, corp.id, api_base="http://127.0.0.1:9"))
    r = api.post("/api/v1/tags/groups", json={"name": "会员等级", "tags": ["金卡"]}, timeout=120)
    assert r.status_code == 503, r.text
    assert r.json()["detail"].startswith("WeCom is unreachable")
    assert "try again" in r.json()["detail"]
    assert asyncio.run(_groups(db, corp.id)) == 0
