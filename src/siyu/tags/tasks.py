"""Queue entry point for batch tag jobs."""

from __future__ import annotations

from siyu.corps import service as corps
from siyu.db.session import Database
from siyu.tags import batch
from siyu.worker.app import huey, run_async
from siyu.worker.context import client_for


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
