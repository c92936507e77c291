"""Queue entry points for batch tag jobs: the run, and the per-minute resume of dead runs."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from sqlalchemy import and_, or_, select

from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.corps.service import client_for
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.messaging.queue import huey, run_async
from siyu.tags import batch
from siyu.tags.models import BatchTagJob


async def run_batch_now(db: Database, corp_id: int, job_id: int) -> str:
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
    async with client_for(corp) as client:
        job = await batch.run_job(db, corp_id, job_id, client)
    return job.status


@huey.task(retries=10, retry_delay=30)
def run_batch_tag_job(corp_id: int, job_id: int) -> str:
    """Write a batch tag job to WeCom; retried later when WeCom is rate limiting or down."""
    return run_async(lambda db: run_batch_now(db, corp_id, job_id))


async def expired_jobs(db: Database) -> list[tuple[int, int]]:
    """(corp, job) of unfinished batch tag jobs no live run holds: the lease expired (the
    worker died), or never leased / released and idle for a lease (the queued task was lost).
    Rule tag jobs are left to the segments' own scan."""
    now = utcnow()
    idle = now - timedelta(seconds=get_settings().batch_tag_lease_seconds)
    stmt = (
        select(BatchTagJob.corp_id, BatchTagJob.id)
        .where(
            BatchTagJob.status.in_(batch.ACTIVE),
            ~BatchTagJob.requested_by.like(f"{batch.RULE_TAG_PREFIX}%"),
            or_(
                BatchTagJob.leased_until < now,
                and_(BatchTagJob.leased_until.is_(None), BatchTagJob.updated_at < idle),
            ),
        )
        .order_by(BatchTagJob.id)
    )
    async with db.unit_of_work() as s:
        return [(int(c), int(j)) for c, j in (await s.execute(stmt)).all()]


@huey.periodic_task(crontab(minute="*"))
def resume_batch_tag_jobs() -> int:
    """Every minute: queue again the batch tag jobs whose run died. The new run claims the
    job's lease and settles the writes left in flight with WeCom first (none sent twice)."""
    due = run_async(expired_jobs)
    for corp_id, job_id in due:
        run_batch_tag_job(corp_id, job_id)
    return len(due)
