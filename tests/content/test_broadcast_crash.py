"""A broadcast carrying a content item keeps the ledger's crash safety: a job whose call
landed in WeCom but was never recorded is adopted on the next try, not sent again (the radar
link resolves to the same URL every time)."""

from __future__ import annotations

import asyncio

from siyu.broadcasts import ledger
from siyu.broadcasts import repository as repo
from siyu.broadcasts import service as broadcasts
from siyu.broadcasts.models import BroadcastSender
from siyu.broadcasts.schemas import BroadcastCreate
from siyu.content import service as content
from siyu.content.schemas import ContentIn
from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.db.base import utcnow
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync


def test_in_flight_job_with_a_radar_link_is_adopted_not_resent(
    sb: Sandbox, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    secret = get_settings().secret_key.get_secret_value()

    urls: list[str] = []

    async def run() -> None:
        async with db.unit_of_work() as s:
            c = await corps.get(s, corp.id)
            item = await content.create(
                s, c, ContentIn(kind="link", title="新店开业", url="https://example.com/open")
            )
            b = await broadcasts.create(
                s,
                c,
                data=BroadcastCreate(name="开业", text="新店开业啦", content_item_id=item.id),
                created_by="test",
            )
            await ledger.plan(s, b, tz=c.timezone)
            bid, job = b.id, (await repo.jobs(s, corp.id, b.id))[0]
            job_id, userid, issued, attachments = job.id, job.userid, b.created_at, b.attachments
        async with corps.wecom_client(c, secret_key=secret) as client:
            # the worker marked the job in flight, WeCom created the message, then it died
            async with db.unit_of_work() as s:
                j = await s.get(BroadcastSender, job_id)
                assert j is not None
                j.status, j.in_flight_since, j.attempts = "in_flight", utcnow(), 1
            async with db.unit_of_work() as s:
                externals = await repo.job_externals(s, job_id)
            await ledger._add_msg_template(
                db,
                corp.id,
                bid,
                client,
                userid,
                externals,
                "新店开业啦",
                attachments,
                "single",
                issued,
            )
            await ledger.submit_job(db, corp.id, bid, job_id, client)
            again = await ledger._resolve(
                db, corp.id, bid, client, userid, attachments, issued, fresh=False
            )
            urls.append(again[0]["link"]["url"])
        async with db.unit_of_work() as s:
            j = await s.get(BroadcastSender, job_id)
            assert j is not None and j.status == "submitted" and j.reconciled
            item_now = await content.get(s, corp.id, item.id)
            assert item_now.sends == 1

    asyncio.run(run())
    mine = [m for m in sb.get("/sandbox/groupmsg/messages") if m["text"].get("content")]
    assert len(mine) == 1  # adopted: one message, not two
    assert "/r/" in mine[0]["attachments"][0]["link"]["url"]
    assert urls == [mine[0]["attachments"][0]["link"]["url"]]  # the same link on every try
