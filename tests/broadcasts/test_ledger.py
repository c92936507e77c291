"""The ledger in process: leases, chunking within WeCom's per-call limit, unplannable input."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from siyu.broadcasts import ledger
from siyu.broadcasts import repository as repo
from siyu.broadcasts.models import Broadcast, BroadcastRecipient, BroadcastSender
from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync


async def _new(db: Database, corp_id: int, audience: dict[str, object]) -> int:
    async with db.unit_of_work() as s:
        b = Broadcast(corp_id=corp_id, name="账本", status="planning", text="你好", counts={})
        b.audience, b.attachments = audience, []
        s.add(b)
        await s.flush()
        return b.id


async def _run(db: Database, corp_id: int, bid: int) -> str:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
    key = get_settings().secret_key.get_secret_value()
    async with corps.wecom_client(corp, secret_key=key) as client:
        return await ledger.run(db, corp_id, bid, client, tz=corp.timezone)


def test_chunks_leases_and_a_missing_segment(db: Database, sb: Sandbox, corp: CorpHandle) -> None:
    asyncio.run(full_sync(db, corp))

    async def body() -> None:
        bid = await _new(db, corp.id, {})
        # another live worker holds the lease: this one leaves the broadcast alone
        assert await ledger._claim(db, corp.id, bid, "someone-else")
        assert await _run(db, corp.id, bid) == "planning"
        async with db.unit_of_work() as s:
            b = await repo.get(s, corp.id, bid)
            assert b is not None
            b.lease_until = None  # it died
        import siyu.broadcasts.repository as r

        old = r.MAX_PER_CALL
        r.MAX_PER_CALL = 7  # small chunks: several jobs per employee
        try:
            assert await _run(db, corp.id, bid) == "submitted"
        finally:
            r.MAX_PER_CALL = old
        async with db.unit_of_work() as s:
            jobs = await repo.jobs(s, corp.id, bid)
            assert all(0 < j.recipients <= 7 for j in jobs)
            assert len({j.userid for j in jobs}) < len(jobs)
            n = await s.scalar(select(func.count()).select_from(BroadcastRecipient))
            dup = await s.scalar(select(func.count(func.distinct(BroadcastRecipient.customer_id))))
            assert n == dup and {j.status for j in jobs} == {"submitted"}
            assert await s.scalar(select(func.count()).select_from(BroadcastSender)) == len(jobs)
        gone = await _new(db, corp.id, {"segment_id": 424242})
        assert await _run(db, corp.id, gone) == "failed"
        async with db.unit_of_work() as s:
            b = await repo.get(s, corp.id, gone)
            assert b is not None and b.error and "424242" in b.error and b.lease_owner is None

    asyncio.run(body())
    targets = sb.get("/sandbox/groupmsg/targets")
    assert set(targets["histogram"]) == {"1"} and targets["messages"] > 1
