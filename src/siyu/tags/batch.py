"""Run a batch tag job: one ``mark_tag`` per follow relation, durable and resumable.

Items move pending → sending (committed before any call of the chunk) → done | failed, the
last step in the same transaction that mirrors the change locally. After a crash (or a
transient error) mid-chunk, items left ``sending`` are reconciled before anything else: the
relation's tags are read back from WeCom and an item whose change is already there is done
without calling ``mark_tag`` again, so a restart never repeats a write that succeeded.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers.models import Customer, FollowRelation
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.db.session import Database
from siyu.tags.models import BatchTagItem, BatchTagJob
from siyu.tags.relations import mirror_mark_tag
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError, WeComRateLimited, WeComTokenError, WeComUnavailable

log = logging.getLogger(__name__)
CHUNK = 20
RETRYABLE = (WeComRateLimited, WeComUnavailable, WeComTokenError)


async def run_job(db: Database, corp_id: int, job_id: int, client: WeComClient) -> BatchTagJob:
    """Process every pending item of the job; transient WeCom failures stop it for a retry."""
    async with db.unit_of_work() as s:
        job = await _job(s, corp_id, job_id)
        if job.status in ("done", "failed"):
            return job
        job.status = "running"
    while True:
        async with db.unit_of_work() as s:  # reconcile writes a crashed run left in flight
            job = await _job(s, corp_id, job_id)
            inflight = await _items(s, corp_id, job_id, "sending")
            for item in inflight:
                await _apply_item(s, corp_id, job, item, client, check_first=True)
            if inflight:
                await _count(s, job)
                continue
            items = await _items(s, corp_id, job_id, "pending")
            if not items:
                await _finish(s, job)
                return job
            for item in items:
                item.status = "sending"
            job.updated_at = utcnow()  # the heartbeat stale-job scans look at
        async with db.unit_of_work() as s:
            job = await _job(s, corp_id, job_id)
            for item in await _items(s, corp_id, job_id, "sending"):
                await _apply_item(s, corp_id, job, item, client)
            await _count(s, job)


async def _items(s: AsyncSession, corp_id: int, job_id: int, status: str) -> list[BatchTagItem]:
    stmt = (
        scoped(BatchTagItem, corp_id)
        .where(BatchTagItem.job_id == job_id, BatchTagItem.status == status)
        .order_by(BatchTagItem.id)
        .limit(CHUNK)
    )
    return list((await s.scalars(stmt)).all())


async def _job(s: AsyncSession, corp_id: int, job_id: int) -> BatchTagJob:
    job = await s.scalar(scoped(BatchTagJob, corp_id).where(BatchTagJob.id == job_id))
    assert job is not None, f"batch tag job {job_id} vanished"
    return job


async def _already_applied(
    client: WeComClient, userid: str, external_userid: str, job: BatchTagJob
) -> bool:
    """Whether WeCom's relation already shows the job's change (a write that was in flight)."""
    detail = await client.get_external_contact(external_userid)
    for follow in detail.follow_user:
        if follow.userid == userid:
            have = {t.tag_id for t in follow.tags if t.tag_id}
            return set(job.add_tag_ids) <= have and not have & set(job.remove_tag_ids)
    return False


async def _apply_item(
    s: AsyncSession,
    corp_id: int,
    job: BatchTagJob,
    item: BatchTagItem,
    client: WeComClient,
    *,
    check_first: bool = False,
) -> None:
    row = (
        await s.execute(
            select(FollowRelation, Customer.external_userid)
            .join(Customer, Customer.id == FollowRelation.customer_id)
            .where(FollowRelation.id == item.relation_id, FollowRelation.corp_id == corp_id)
        )
    ).first()
    if row is None or row[0].deleted_at is not None:
        item.status, item.error = "failed", "the follow relation no longer exists"
        return
    rel, ext = row
    try:
        if not (check_first and await _already_applied(client, rel.userid, ext, job)):
            await client.mark_tag(rel.userid, ext, add=job.add_tag_ids, remove=job.remove_tag_ids)
    except RETRYABLE:
        raise
    except WeComError as exc:
        item.status, item.error = "failed", f"{exc.errmsg} (errcode {exc.errcode})"[:300]
        return
    await mirror_mark_tag(
        s,
        corp_id,
        rel,
        add=job.add_tag_ids,
        remove=job.remove_tag_ids,
        now=utcnow(),
        batch_job=job.id,
    )
    item.status = "done"


async def _count(s: AsyncSession, job: BatchTagJob) -> None:
    await s.flush()
    rows = await s.execute(
        select(BatchTagItem.status, func.count())
        .where(BatchTagItem.job_id == job.id)
        .group_by(BatchTagItem.status)
    )
    counts = dict(rows.all())
    job.done, job.failed = int(counts.get("done", 0)), int(counts.get("failed", 0))


async def _finish(s: AsyncSession, job: BatchTagJob) -> None:
    await _count(s, job)
    job.status = "done" if job.failed < job.total or job.total == 0 else "failed"
