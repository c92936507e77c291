"""Queue entry points of the profile: write a relation's remark fields to WeCom, and the
per-minute sweeper that queues again what a crash left behind (see ``remark_writes``)."""

from __future__ import annotations

from huey import crontab
from sqlalchemy import select

from siyu.corps import service as corps
from siyu.corps.service import client_for
from siyu.customers import remark_writes as rw
from siyu.customers.models import Customer
from siyu.customers.profile_models import RemarkWrite
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.db.session import Database
from siyu.messaging.queue import huey, run_async
from siyu.wecom.errors import WeComError, WeComRateLimited, WeComUnavailable


async def write_remark_now(db: Database, corp_id: int, write_id: int) -> str:
    now = utcnow()
    async with db.unit_of_work() as s:
        row = await s.scalar(scoped(RemarkWrite, corp_id).where(RemarkWrite.id == write_id))
        if row is None:
            return "missing"
        crashed = row.status == "sending"  # a run died after claiming it: maybe it was sent
        if not await rw.claim(s, corp_id, write_id, now=now):
            return row.status
        corp = await corps.get(s, corp_id)
        ext = await s.scalar(select(Customer.external_userid).where(Customer.id == row.customer_id))
        userid, fields = row.userid, dict(row.fields)
    async with client_for(corp) as client:
        try:
            if crashed and await rw.already_in_wecom(client, userid, str(ext), fields):
                async with db.unit_of_work() as s:
                    await rw.settle_sent(s, corp_id, write_id, now=utcnow())
                return "sent"
            await client.remark(userid, str(ext), **rw.wire(fields))
        except (WeComRateLimited, WeComUnavailable) as exc:
            async with db.unit_of_work() as s:
                await rw.fail(s, corp_id, write_id, str(exc), retry=True)
            raise
        except WeComError as exc:
            async with db.unit_of_work() as s:
                await rw.fail(
                    s, corp_id, write_id, f"{exc.errmsg}（错误码 {exc.errcode}）", retry=False
                )
            return "failed"
    async with db.unit_of_work() as s:
        await rw.settle_sent(s, corp_id, write_id, now=utcnow())
    return "sent"


@huey.task(retries=5, retry_delay=15)
def write_remark(corp_id: int, write_id: int) -> str:
    """Write one relation's remark fields to WeCom (idempotent: see ``remark_writes``)."""
    return run_async(lambda db: write_remark_now(db, corp_id, write_id))


async def _due(db: Database) -> list[tuple[int, int]]:
    async with db.unit_of_work() as s:
        return await rw.due(s, now=utcnow())


@huey.periodic_task(crontab(minute="*"))
def resume_remark_writes() -> int:
    """Every minute: queue again the remark writes whose job was lost or whose run died."""
    due = run_async(_due)
    for corp_id, write_id in due:
        write_remark(corp_id, write_id)
    return len(due)
