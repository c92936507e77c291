"""Run a batch tag job: one ``mark_tag`` per follow relation, durable and resumable.

Items move pending → sending (committed before any call of the chunk) → done | failed, the
last step in the same transaction that mirrors the change locally. WeCom is called between the
two, with no transaction open: on SQLite a transaction holds the one write lock, which the
callbacks' group commits (and a cancel request) would otherwise wait for. After a crash (or a
transient error) mid-chunk, items left ``sending`` are reconciled before anything else: the
relation's tags are read back from WeCom and an item whose change is already there is done
without calling ``mark_tag`` again, so a restart never repeats a write that succeeded.

A run holds a lease on its job (``leased_until``/``lease_token``, renewed at every chunk and
released when the run stops); a job whose lease expired (its worker died) is claimed again by
the next run the per-minute scan queues, which counts it in ``resumed``. A run stops its calls
when half its lease has gone, so two runs never write the same chunk. A job marked
``cancelling`` stops at a chunk boundary: in-flight items are settled first, pending ones
become ``cancelled``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.settings import get_settings
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
ACTIVE = ("pending", "running", "cancelling")
RULE_TAG_PREFIX = "rule_tag:"


def lease_seconds(requested_by: str) -> int:
    """Rule tag jobs keep their own (segments) lease setting; the others the batch one."""
    settings = get_settings()
    if requested_by.startswith(RULE_TAG_PREFIX):
        return settings.rule_tag_lease_seconds
    return settings.batch_tag_lease_seconds


async def run_job(db: Database, corp_id: int, job_id: int, client: WeComClient) -> BatchTagJob:
    """Process every pending item of the job; transient WeCom failures stop it for a retry.

    A job that is finished, or leased by another live run, is returned as it is."""
    token, seconds = await _claim(db, corp_id, job_id)
    if token is None:
        async with db.unit_of_work() as s:
            return await _job(s, corp_id, job_id)
    try:
        return await _run(db, corp_id, job_id, client, token, seconds)
    finally:
        async with db.unit_of_work() as s:  # released: a retry or the scan may claim it now
            await s.execute(
                update(BatchTagJob)
                .where(BatchTagJob.id == job_id, BatchTagJob.lease_token == token)
                .values(leased_until=None, lease_token=None)
            )


async def _claim(db: Database, corp_id: int, job_id: int) -> tuple[str | None, int]:
    """Take the job's lease if it is unfinished and free (never leased, released, expired)."""
    async with db.unit_of_work() as s:
        requested_by = await s.scalar(
            scoped(BatchTagJob, corp_id, BatchTagJob.requested_by).where(BatchTagJob.id == job_id)
        )
        if requested_by is None:
            return None, 0
        seconds = lease_seconds(requested_by)
        now, token = utcnow(), uuid.uuid4().hex
        res = await s.execute(
            update(BatchTagJob)
            .where(
                BatchTagJob.id == job_id,
                BatchTagJob.corp_id == corp_id,
                BatchTagJob.status.in_(ACTIVE),
                or_(BatchTagJob.leased_until.is_(None), BatchTagJob.leased_until < now),
            )
            .values(
                leased_until=now + timedelta(seconds=seconds),
                lease_token=token,
                updated_at=now,
                resumed=case(
                    (BatchTagJob.status == "pending", BatchTagJob.resumed),
                    else_=BatchTagJob.resumed + 1,
                ),
                status=case((BatchTagJob.status == "pending", "running"), else_=BatchTagJob.status),
            )
            .execution_options(synchronize_session=False)
        )
        claimed = getattr(res, "rowcount", 0) == 1
    if claimed:
        log.info("batch tag job %s claimed", job_id)
    return (token if claimed else None), seconds


async def _renew(s: AsyncSession, job_id: int, token: str, seconds: int) -> datetime | None:
    """Extend the lease (the heartbeat); the deadline for this chunk's calls, None if lost."""
    now = utcnow()
    res = await s.execute(
        update(BatchTagJob)
        .where(BatchTagJob.id == job_id, BatchTagJob.lease_token == token)
        .values(leased_until=now + timedelta(seconds=seconds), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(res, "rowcount", 0) != 1:
        log.warning("batch tag job %s: lease lost, stopping this run", job_id)
        return None
    return now + timedelta(seconds=seconds / 2)


async def _run(
    db: Database, corp_id: int, job_id: int, client: WeComClient, token: str, seconds: int
) -> BatchTagJob:
    while True:
        async with db.unit_of_work() as s:
            deadline = await _renew(s, job_id, token, seconds)
            job = await _job(s, corp_id, job_id)
            if deadline is None:
                return job
            # first the writes a crashed run left in flight (reconciled with WeCom)
            chunk = await _items(s, corp_id, job_id, "sending")
            check_first = bool(chunk)
            if not chunk:
                if job.status == "cancelling":
                    await s.execute(
                        update(BatchTagItem)
                        .where(BatchTagItem.job_id == job_id, BatchTagItem.status == "pending")
                        .values(status="cancelled")
                        .execution_options(synchronize_session=False)
                    )
                    await _finish(s, job)
                    return job
                chunk = await _items(s, corp_id, job_id, "pending")
                if not chunk:
                    await _finish(s, job)
                    return job
                for item in chunk:
                    item.status = "sending"
            targets = [(item.id, item.relation_id) for item in chunk]
            add, remove = list(job.add_tag_ids), list(job.remove_tag_ids)
        await _send(db, corp_id, job_id, targets, add, remove, client, deadline, check_first)


async def _send(
    db: Database,
    corp_id: int,
    job_id: int,
    targets: list[tuple[int, int]],
    add: list[str],
    remove: list[str],
    client: WeComClient,
    deadline: datetime,
    check_first: bool,
) -> None:
    """Call WeCom for the chunk's (item id, relation id) pairs with no transaction open
    (SQLite has one writer, and the callbacks' group commits wait for it), then record the
    outcomes and mirror the changes in one transaction. Calls stop once the deadline has
    passed; the items left ``sending`` are reconciled under a renewed lease. A retryable
    error stops the chunk too, after the outcomes so far are recorded."""
    async with db.read() as s:
        rows = await s.execute(
            select(FollowRelation.id, FollowRelation.userid, Customer.external_userid)
            .join(Customer, Customer.id == FollowRelation.customer_id)
            .where(
                FollowRelation.corp_id == corp_id,
                FollowRelation.id.in_([rel for _, rel in targets]),
                FollowRelation.deleted_at.is_(None),
            )
        )
        live = {int(rid): (str(u), str(e)) for rid, u, e in rows.all()}
    outcomes: dict[int, str | None] = {}  # item id → None (done) or why it failed
    stopped: BaseException | None = None
    for item_id, rel_id in targets:
        if utcnow() >= deadline:
            break
        if rel_id not in live:
            outcomes[item_id] = "the follow relation no longer exists"
            continue
        userid, ext = live[rel_id]
        try:
            if not (check_first and await _already_applied(client, userid, ext, add, remove)):
                await client.mark_tag(userid, ext, add=add, remove=remove)
        except RETRYABLE as exc:
            stopped = exc
            break
        except WeComError as exc:
            outcomes[item_id] = f"{exc.errmsg} (errcode {exc.errcode})"[:300]
            continue
        outcomes[item_id] = None
    async with db.unit_of_work() as s:
        job = await _job(s, corp_id, job_id)
        if outcomes:
            items = await s.scalars(
                scoped(BatchTagItem, corp_id).where(BatchTagItem.id.in_(list(outcomes)))
            )
            for item in items.all():
                error = outcomes[item.id]
                if error is not None:
                    item.status, item.error = "failed", error
                    continue
                rel = await s.get(FollowRelation, item.relation_id)
                if rel is not None:
                    await mirror_mark_tag(
                        s, corp_id, rel, add=add, remove=remove, now=utcnow(), batch_job=job.id
                    )
                item.status = "done"
        await _count(s, job)
    if stopped is not None:
        raise stopped


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
    client: WeComClient, userid: str, external_userid: str, add: list[str], remove: list[str]
) -> bool:
    """Whether WeCom's relation already shows the job's change (a write that was in flight)."""
    detail = await client.get_external_contact(external_userid)
    for follow in detail.follow_user:
        if follow.userid == userid:
            have = {t.tag_id for t in follow.tags if t.tag_id}
            return set(add) <= have and not have & set(remove)
    return False


async def _count(s: AsyncSession, job: BatchTagJob) -> None:
    await s.flush()
    rows = await s.execute(
        select(BatchTagItem.status, func.count())
        .where(BatchTagItem.job_id == job.id)
        .group_by(BatchTagItem.status)
    )
    counts = dict(rows.all())
    job.done, job.failed = int(counts.get("done", 0)), int(counts.get("failed", 0))
    job.cancelled = int(counts.get("cancelled", 0))


async def _finish(s: AsyncSession, job: BatchTagJob) -> None:
    await _count(s, job)
    if job.status == "cancelling":
        job.status = "cancelled"
    else:
        job.status = "done" if job.failed < job.total or job.total == 0 else "failed"
