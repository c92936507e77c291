"""Tag routes: groups and tags written through to WeCom, batch tag jobs."""

from __future__ import annotations

from fastapi import APIRouter

from siyu.core.bounds import Id
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep, WeComDep
from siyu.messaging import outbox
from siyu.tags import scope, service
from siyu.tags.schemas import (
    BatchTagIn,
    BatchTagJobOut,
    DeleteIn,
    RenameIn,
    TagGroupIn,
    TagGroupOut,
    TagsIn,
)
from siyu.tags.tasks import run_batch_tag_job

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get("/groups", response_model=list[TagGroupOut])
async def list_groups(session: SessionDep, principal: PrincipalDep) -> list[TagGroupOut]:
    return await service.list_groups(session, principal.corp_id)


@router.post("/groups", response_model=TagGroupOut, status_code=201)
async def create_group(
    session: SessionDep, corp: CorpDep, client: WeComDep, body: TagGroupIn
) -> TagGroupOut:
    return await service.create_group(
        session, corp.id, client, name=body.name, tags=body.tags, order=body.order
    )


@router.post("/groups/{group_id}/tags", response_model=TagGroupOut, status_code=201)
async def add_tags(
    session: SessionDep, corp: CorpDep, client: WeComDep, group_id: str, body: TagsIn
) -> TagGroupOut:
    return await service.add_tags(session, corp.id, client, group_id=group_id, tags=body.tags)


@router.patch("/{wecom_id}", status_code=204)
async def edit(
    session: SessionDep, corp: CorpDep, client: WeComDep, wecom_id: str, body: RenameIn
) -> None:
    """Rename or reorder a tag or a tag group (by its WeCom id)."""
    await service.edit(
        session, corp.id, client, wecom_id=wecom_id, name=body.name, order=body.order
    )


@router.post("/delete", status_code=204)
async def delete(session: SessionDep, corp: CorpDep, client: WeComDep, body: DeleteIn) -> None:
    await service.delete(session, corp.id, client, tag_ids=body.tag_ids, group_ids=body.group_ids)


@router.post("/batch", response_model=BatchTagJobOut, status_code=202)
async def batch(session: SessionDep, principal: PrincipalDep, body: BatchTagIn) -> BatchTagJobOut:
    """Tag / untag many customers; the writes go to WeCom per follow relation in the worker.

    Managers and staff tag only their scope: by customer ids, through their own relations.
    """
    body = await scope.check_batch(session, principal, body)
    job = await service.create_batch_job(
        session, principal.corp_id, body, requested_by=principal.name
    )
    outbox.enqueue(session, run_batch_tag_job, principal.corp_id, job.id)
    return BatchTagJobOut.model_validate(job)


@router.get("/batch/{job_id}", response_model=BatchTagJobOut)
async def batch_status(session: SessionDep, principal: PrincipalDep, job_id: Id) -> BatchTagJobOut:
    job = await service.get_job(session, principal.corp_id, job_id, principal=principal)
    out = BatchTagJobOut.model_validate(job)
    out.errors = await service.job_errors(session, principal.corp_id, job_id)
    return out


@router.post("/batch/{job_id}/cancel", response_model=BatchTagJobOut)
async def batch_cancel(session: SessionDep, principal: PrincipalDep, job_id: Id) -> BatchTagJobOut:
    """Cancel a batch tag job: at once if not started, else after the chunk in flight
    (status ``cancelling`` until then); relations not written yet are never sent."""
    job = await service.cancel_job(session, principal, job_id)
    out = BatchTagJobOut.model_validate(job)
    out.errors = await service.job_errors(session, principal.corp_id, job_id)
    return out
