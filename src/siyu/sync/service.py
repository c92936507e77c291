"""Full sync: employees, departments, tags, every customer with its relations, group chats.

Each page is its own unit of work, so a sync can be interrupted at any point and resumed from
the run's ``resume`` cursor; re-running updates rows instead of duplicating them. Every run
records its steps, counts and errors (``siyu sync --status``, ``GET /api/v1/sync/runs``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.customers import ingest as customers
from siyu.customers import timeline as tl
from siyu.customers.models import Customer, FollowRelation
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.db.session import Database
from siyu.employees import ingest as employees
from siyu.groups import ingest as groups
from siyu.sync.fresh import FreshIngest
from siyu.sync.models import SyncRun
from siyu.tags import ingest as tags
from siyu.wecom.client import WeComClient
from siyu.wecom.models import BatchPage, GroupChat

log = logging.getLogger(__name__)
STEPS = ("departments", "employees", "tags", "customers", "groups", "reconcile")
USER_CHUNK = 100  # batch/get_by_user takes at most 100 userids
PAGE_LIMIT = 100  # and returns at most 100 relations a page
BATCH_RELATIONS = 2000  # relations written per transaction
PREFETCH = 40  # pages fetched ahead of the writer (two batches: fetching goes on while SQL runs)
GROUP_FETCHES, GROUP_BATCH = 8, 100  # concurrent groupchat/get calls, groups per transaction
FRESH_PATH = True  # first sync of a corp: insert without diffing (siyu.sync.fresh)
STALE_AFTER = timedelta(minutes=10)  # a running run without heartbeat this long was interrupted

Progress = Callable[[str, int, int | None], None]  # step, done, total


def _noop(step: str, done: int, total: int | None) -> None:
    return None


async def latest_runs(session: AsyncSession, corp_id: int, *, limit: int = 20) -> list[SyncRun]:
    stmt = scoped(SyncRun, corp_id).order_by(SyncRun.id.desc()).limit(limit)
    return list((await session.scalars(stmt)).all())


async def get_run(session: AsyncSession, corp_id: int, run_id: int) -> SyncRun | None:
    return await session.scalar(scoped(SyncRun, corp_id).where(SyncRun.id == run_id))


async def start_or_resume(session: AsyncSession, corp: Corp, *, trigger: str) -> SyncRun:
    """The unfinished run to resume (interrupted or failed), or a new run."""
    run = await session.scalar(
        scoped(SyncRun, corp.id)
        .where(SyncRun.status.in_(("running", "interrupted", "failed")))
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    if run is not None and run.status == "running" and utcnow() - run.heartbeat_at < STALE_AFTER:
        return run  # another worker is on it; the caller decides
    if run is None or (run.status == "failed" and not run.resume):
        run = SyncRun(
            corp_id=corp.id,
            trigger=trigger,
            status="running",
            steps={s: {"status": "pending", "done": 0, "total": None} for s in STEPS},
        )
        session.add(run)
    run.status, run.error, run.heartbeat_at, run.finished_at = "running", None, utcnow(), None
    await session.flush()
    return run


async def is_active(session: AsyncSession, corp_id: int) -> bool:
    run = await session.scalar(
        scoped(SyncRun, corp_id).where(SyncRun.status == "running").order_by(SyncRun.id.desc())
    )
    return run is not None and utcnow() - run.heartbeat_at < STALE_AFTER


async def run_full_sync(
    db: Database,
    corp_id: int,
    run_id: int,
    client: WeComClient,
    *,
    progress: Progress = _noop,
    page_hook: Callable[[], Awaitable[None]] | None = None,
) -> SyncRun:
    """Execute (or resume) a sync run to the end; errors are recorded on the run and re-raised."""
    state: dict[str, Any] = {}
    async with db.unit_of_work() as s:
        run = await _run(s, corp_id, run_id)
        state = dict(run.resume or {})
        steps = dict(run.steps)
    try:
        for step in STEPS:
            if steps.get(step, {}).get("status") == "done":
                continue
            await _set_step(db, corp_id, run_id, step, status="running")
            fn = _STEP_FUNCS[step]
            await fn(_Sync(db, corp_id, run_id, client, state, progress, page_hook))
            await _set_step(db, corp_id, run_id, step, status="done")
        async with db.unit_of_work() as s:
            run = await _run(s, corp_id, run_id)
            run.status, run.finished_at, run.resume, run.step = "done", utcnow(), {}, ""
            await corps.mark_synced(s, corp_id)
        return run
    except BaseException as exc:
        async with db.unit_of_work() as s:
            run = await _run(s, corp_id, run_id)
            interrupted = not isinstance(exc, Exception)
            run.status = "interrupted" if interrupted else "failed"
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
            step_info = dict(run.steps.get(run.step, {}))
            step_info["status"], step_info["error"] = run.status, run.error
            run.steps = {**run.steps, run.step: step_info}
        log.warning("sync run %s of corp %s %s: %s", run_id, corp_id, run.status, run.error)
        raise


@dataclass
class _Sync:
    """What every step of a run works with; ``state`` is the run's resume state (mutable)."""

    db: Database
    corp_id: int
    run_id: int
    client: WeComClient
    state: dict[str, Any]
    progress: Progress
    hook: Callable[[], Awaitable[None]] | None

    def parts(self) -> tuple[Any, ...]:
        return (
            self.db,
            self.corp_id,
            self.run_id,
            self.client,
            self.state,
            self.progress,
            self.hook,
        )


async def _run(s: AsyncSession, corp_id: int, run_id: int) -> SyncRun:
    run = await get_run(s, corp_id, run_id)
    assert run is not None, f"sync run {run_id} vanished"
    return run


async def _set_step(
    db: Database,
    corp_id: int,
    run_id: int,
    step: str,
    *,
    status: str | None = None,
    done: int | None = None,
    total: int | None = None,
    resume: dict[str, Any] | None = None,
    s: AsyncSession | None = None,
) -> None:
    async def apply(session: AsyncSession) -> None:
        run = await _run(session, corp_id, run_id)
        info = dict(run.steps.get(step, {"status": "pending", "done": 0, "total": None}))
        if status is not None:
            info["status"] = status
        if done is not None:
            info["done"] = done
        if total is not None:
            info["total"] = total
        run.steps = {**run.steps, step: info}
        run.step, run.heartbeat_at = step, utcnow()
        if resume is not None:
            run.resume = resume

    if s is not None:
        await apply(s)
    else:
        async with db.unit_of_work() as session:
            await apply(session)


async def _departments(r: _Sync) -> None:
    db, corp_id, run_id, client, progress = r.db, r.corp_id, r.run_id, r.client, r.progress
    depts = await client.list_departments()
    async with db.unit_of_work() as s:
        n = await employees.apply_departments(s, corp_id, depts)
        await _set_step(db, corp_id, run_id, "departments", done=n, total=n, s=s)
    progress("departments", n, n)


async def _employees(r: _Sync) -> None:
    db, corp_id, run_id, client, progress = r.db, r.corp_id, r.run_id, r.client, r.progress
    users = await client.list_users(1, fetch_child=True)
    contact = set(await client.get_follow_user_list())
    async with db.unit_of_work() as s:
        n = await employees.apply_employees(s, corp_id, users, contact)
        await _set_step(db, corp_id, run_id, "employees", done=n, total=n, s=s)
    progress("employees", n, n)


async def _tags(r: _Sync) -> None:
    db, corp_id, run_id, client, progress = r.db, r.corp_id, r.run_id, r.client, r.progress
    groups_ = await client.get_corp_tag_list()
    async with db.unit_of_work() as s:
        counts = await tags.apply_tag_groups(s, corp_id, groups_, now=utcnow(), complete=True)
        await _set_step(db, corp_id, run_id, "tags", done=counts["tags"], total=counts["tags"], s=s)
    progress("tags", counts["tags"], counts["tags"])


async def _customers(r: _Sync) -> None:
    db, corp_id, run_id, client, state = r.db, r.corp_id, r.run_id, r.client, r.state
    progress, hook = r.progress, r.hook
    """Pull every relation with ``batch/get_by_user``; pages are fetched ahead while the
    previous ones are written, and written ~``BATCH_RELATIONS`` at a time, each batch one
    transaction that also saves the resume cursor of its last page."""
    userids = sorted(await client.get_follow_user_list())
    chunks = [userids[i : i + USER_CHUNK] for i in range(0, len(userids), USER_CHUNK)]
    resume = dict(state.get("customers") or {})
    chunk_index, cursor = int(resume.get("chunk", 0)), str(resume.get("cursor", ""))
    done = int(resume.get("relations", 0))
    async with db.unit_of_work() as s:
        estimate = await s.scalar(
            select(func.count())
            .select_from(FollowRelation)
            .where(FollowRelation.corp_id == corp_id, FollowRelation.deleted_at.is_(None))
        )
        if "fresh" not in resume:  # a corp's first sync: nothing to diff against
            resume["fresh"] = FRESH_PATH and not await s.scalar(
                select(Customer.id).where(Customer.corp_id == corp_id).limit(1)
            )
    fast = FreshIngest(corp_id, run_id) if resume["fresh"] else None
    total = max(int(estimate or 0), done) or None
    await _set_step(db, corp_id, run_id, "customers", total=total)
    pages: asyncio.Queue[tuple[int, BatchPage] | BaseException | None] = asyncio.Queue(PREFETCH)

    async def fetch() -> None:
        try:
            first = cursor
            for ci in range(chunk_index, len(chunks)):
                async for page in client.iter_batch_get_by_user(
                    chunks[ci], cursor=first, limit=PAGE_LIMIT
                ):
                    await pages.put((ci, page))
                first = ""
            await pages.put(None)
        except BaseException as exc:  # handed to the writer, which re-raises it
            await pages.put(exc)

    fetcher = asyncio.create_task(fetch())
    batch: list[tuple[customers.ContactData, customers.FollowData]] = []
    batch_state: dict[str, Any] = {}
    try:
        while True:
            item = await pages.get()
            if isinstance(item, BaseException):
                raise item
            if item is not None:
                ci, page = item
                batch.extend(map(customers.batch_pair, page.items))
                batch_state = (
                    {"chunk": ci, "cursor": page.next_cursor}
                    if page.next_cursor
                    else {"chunk": ci + 1, "cursor": ""}
                )
            if batch_state and (item is None or len(batch) >= BATCH_RELATIONS):
                try:
                    await _write_batch(r, batch, batch_state, fast, done + len(batch), total)
                except IntegrityError:
                    if fast is None:
                        raise
                    # Rows appeared meanwhile (callbacks): diff this batch and the rest.
                    log.info("sync run %s: rows exist already, diffing from here on", run_id)
                    fast = None
                    await _write_batch(r, batch, batch_state, None, done + len(batch), total)
                except BaseException:
                    if fast is not None:
                        fast.forget()
                    raise
                done += len(batch)
                total = max(total or 0, done)
                batch, batch_state = [], {}
                progress("customers", done, total)
                if hook is not None:
                    await hook()
            if item is None:
                break
    finally:
        fetcher.cancel()
    state["customers"] = {"chunk": len(chunks), "cursor": "", "relations": done, "userids": userids}


async def _write_batch(
    r: _Sync,
    batch: list[tuple[customers.ContactData, customers.FollowData]],
    batch_state: dict[str, Any],
    fast: FreshIngest | None,
    done: int,
    total: int | None,
) -> None:
    """One transaction: the batch's rows and the run's resume cursor after its last page."""
    async with r.db.unit_of_work() as s:
        if fast is not None:
            await fast.apply(s, batch, now=utcnow())
        else:
            await customers.apply_contacts(s, r.corp_id, batch, now=utcnow(), sync_run_id=r.run_id)
        r.state["customers"] = {**batch_state, "relations": done, "fresh": fast is not None}
        await _set_step(
            r.db,
            r.corp_id,
            r.run_id,
            "customers",
            done=done,
            total=max(total or 0, done),
            resume=dict(r.state),
            s=s,
        )


async def _groups(r: _Sync) -> None:
    db, corp_id, run_id, client, progress = r.db, r.corp_id, r.run_id, r.client, r.progress
    """Every group chat: details fetched a few at a time, written in small batches."""
    refs = []
    async for page in client.iter_group_chats(limit=1000):
        refs.extend(page.chats)
    total, done = len(refs), 0
    await _set_step(db, corp_id, run_id, "groups", total=total)
    limit = asyncio.Semaphore(GROUP_FETCHES)

    async def fetch(chat_id: str) -> GroupChat:
        async with limit:
            return await client.get_group_chat(chat_id)

    def fetch_part(start: int) -> list[asyncio.Future[GroupChat]]:
        return [
            asyncio.ensure_future(fetch(ref.chat_id)) for ref in refs[start : start + GROUP_BATCH]
        ]

    pending = fetch_part(0)
    try:
        for start in range(0, total, GROUP_BATCH):
            part = refs[start : start + GROUP_BATCH]
            chats = await asyncio.gather(*pending)
            pending = fetch_part(start + GROUP_BATCH)  # read the next part while writing this one
            async with db.unit_of_work() as s:
                await groups.apply_group_chats(
                    s,
                    corp_id,
                    [(chat, ref.status) for ref, chat in zip(part, chats, strict=True)],
                    now=utcnow(),
                )
                done += len(part)
                await _set_step(db, corp_id, run_id, "groups", done=done, s=s)
            progress("groups", done, total)
    finally:
        for f in pending:
            f.cancel()


async def _reconcile(r: _Sync) -> None:
    db, corp_id, run_id, client, state, progress = (
        r.db,
        r.corp_id,
        r.run_id,
        r.client,
        r.state,
        r.progress,
    )
    """Relations of synced employees not seen by this run were lost while Siyu was not told."""
    userids = list(
        (state.get("customers") or {}).get("userids") or sorted(await client.get_follow_user_list())
    )
    now, gone = utcnow(), 0
    events: list[dict[str, Any]] = []
    async with db.unit_of_work() as s:
        stale = (
            await s.execute(
                select(FollowRelation.id, FollowRelation.customer_id, FollowRelation.userid).where(
                    FollowRelation.corp_id == corp_id,
                    FollowRelation.deleted_at.is_(None),
                    FollowRelation.userid.in_(userids),
                    (FollowRelation.synced_run_id.is_(None))
                    | (FollowRelation.synced_run_id != run_id),
                )
            )
        ).all()
        for rid, cid, userid in stale:
            await customers.mark_relation_deleted(
                s,
                corp_id,
                rid,
                kind=tl.RELATION_GONE,
                now=now,
                events=events,
                customer_id=cid,
                userid=userid,
                found_by="sync",
            )
            gone += 1
        await tl.record(s, events)
        ids = sorted({cid for _, cid, _ in stale})
        if ids:
            rows = (await s.execute(select(Customer.id).where(Customer.id.in_(ids)))).all()
            await customers.refresh_customer_status(s, corp_id, list(rows), now=now)
        await _set_step(db, corp_id, run_id, "reconcile", done=gone, total=gone, s=s)
    progress("reconcile", gone, gone)


_STEP_FUNCS: dict[str, Any] = {
    "departments": _departments,
    "employees": _employees,
    "tags": _tags,
    "customers": _customers,
    "groups": _groups,
    "reconcile": _reconcile,
}


async def mark_stale_interrupted(session: AsyncSession) -> int:
    """Runs whose worker died (no heartbeat) become ``interrupted`` so they can resume."""
    result = await session.execute(
        update(SyncRun)
        .where(SyncRun.status == "running", SyncRun.heartbeat_at < utcnow() - STALE_AFTER)
        .values(status="interrupted", error="no heartbeat: the worker stopped")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
