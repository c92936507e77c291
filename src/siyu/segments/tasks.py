"""Queue entry points of rule tags: event-driven and periodic evaluation, stale job re-runs."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab

from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.customers import changelog
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.messaging.queue import huey, run_async
from siyu.segments import engine, rule_tags
from siyu.segments import rule_tag_repository as rrepo
from siyu.segments.registry import start_warming
from siyu.tags.tasks import run_batch_tag_job


@huey.on_startup()
def warm_segment_indexes() -> None:
    """Build every corp's segment index when a worker process starts (once per process, in
    the background: the worker threads take tasks meanwhile)."""
    start_warming(get_settings().database_url)


async def evaluate_now(
    db: Database, corp_id: int, customer_ids: list[int] | None, rule_id: int | None = None
) -> list[int]:
    """Evaluate the corp's rule tags (one of them, or all) and return the jobs created."""
    async with db.unit_of_work() as s:
        corp = await corps.get(s, corp_id)
        if rule_id is not None:
            row = await rule_tags.get(s, corp_id, rule_id)
            return await rule_tags.evaluate(s, corp, row, customer_ids=customer_ids)
        return await rule_tags.evaluate_all(s, corp, customer_ids=customer_ids)


def _run(jobs: list[int], corp_id: int) -> int:
    for job_id in jobs:  # after the commit of the unit of work that created them
        run_batch_tag_job(corp_id, job_id)
    return len(jobs)


@huey.task(retries=3, retry_delay=10)
def evaluate_rule_tags(corp_id: int, customer_ids: list[int] | None = None) -> int:
    """Evaluate every active rule tag of the corp for these customers (all when None)."""
    return _run(run_async(lambda db: evaluate_now(db, corp_id, customer_ids)), corp_id)


@huey.task(retries=3, retry_delay=10)
def evaluate_rule_tag(corp_id: int, rule_id: int) -> int:
    """Evaluate one rule tag over the whole corp."""
    return _run(run_async(lambda db: evaluate_now(db, corp_id, None, rule_id)), corp_id)


async def _periodic(db: Database) -> list[int]:
    async with db.unit_of_work() as s:
        return await rrepo.corps_with_rule_tags(s)


async def _stale(db: Database) -> list[tuple[int, list[int]]]:
    """Rule tag jobs unfinished and untouched for the lease (the worker running them died)."""
    before = utcnow() - timedelta(seconds=get_settings().rule_tag_lease_seconds)
    async with db.unit_of_work() as s:
        out = []
        for corp_id in await rrepo.corps_with_unfinished_jobs(s, before=before):
            out.append((corp_id, await rrepo.unfinished_jobs(s, corp_id, before=before)))
        return out


async def _prune(db: Database) -> int:
    async with db.unit_of_work() as s:
        return await changelog.prune(s, before=utcnow() - engine.RETENTION)


@huey.periodic_task(crontab(hour="3", minute="17"))
def prune_segment_changes() -> int:
    """Daily: drop change log rows older than the retention (7 days)."""
    return run_async(_prune)


@huey.periodic_task(crontab(minute="*/15"))
def periodic_rule_tags() -> int:
    """Every 15 minutes: re-evaluate each corp's rule tags (time-based terms move on their
    own)."""
    due = run_async(_periodic)
    for corp_id in due:
        evaluate_rule_tags(corp_id, None)
    return len(due)


@huey.periodic_task(crontab(minute="*"))
def resume_rule_tag_jobs() -> int:
    """Every minute: re-run rule tag write jobs whose worker died (untouched for the lease;
    a live run touches its job at every chunk). Writes it left in flight are reconciled
    with WeCom, never sent twice."""
    stale = run_async(_stale)
    for corp_id, jobs in stale:
        _run(jobs, corp_id)
    return sum(len(jobs) for _, jobs in stale)
