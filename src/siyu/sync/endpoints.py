"""Sync routes: start a full sync, watch runs."""

from __future__ import annotations

from fastapi import APIRouter

from siyu.core.bounds import Id
from siyu.core.errors import NotFound
from siyu.corps.deps import CorpDep, SessionDep
from siyu.messaging import outbox
from siyu.sync import service
from siyu.sync.schemas import SyncRunOut
from siyu.sync.tasks import full_sync

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("", response_model=SyncRunOut, status_code=202)
async def start(session: SessionDep, corp: CorpDep) -> SyncRunOut:
    """Start (or resume) a full sync in the worker; a running one is returned as is."""
    active = await service.is_active(session, corp.id)
    run = await service.start_or_resume(session, corp, trigger="api")
    if not active:
        outbox.enqueue(session, full_sync, corp.id, run.id)
    return SyncRunOut.model_validate(run)


@router.get("/runs", response_model=list[SyncRunOut])
async def runs(session: SessionDep, corp: CorpDep) -> list[SyncRunOut]:
    return [SyncRunOut.model_validate(r) for r in await service.latest_runs(session, corp.id)]


@router.get("/runs/{run_id}", response_model=SyncRunOut)
async def run(session: SessionDep, corp: CorpDep, run_id: Id) -> SyncRunOut:
    found = await service.get_run(session, corp.id, run_id)
    if found is None:
        raise NotFound(f"sync run {run_id} does not exist")
    return SyncRunOut.model_validate(found)
