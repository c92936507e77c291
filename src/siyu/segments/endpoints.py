"""Segment routes: preview, saved segments, count, members, export, snapshots.

Admins, operators and API keys define segments (create, edit, delete, freeze) over the whole
corp. Managers and staff list them and read them within their data scope: counts, previews,
members and exports are the members their employees follow (``visible`` in the service).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from siyu.core import export
from siyu.core.bounds import Id
from siyu.core.pagination import Page
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep
from siyu.customers.schemas import EXPORT_HEADERS, CustomerOut, export_row
from siyu.segments import service
from siyu.segments.registry import REGISTRY
from siyu.segments.rules import Definition
from siyu.segments.schemas import (
    DraftMembersIn,
    IndexStatusOut,
    PreviewOut,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
    SnapshotIn,
    SnapshotOut,
)

router = APIRouter(prefix="/segments", tags=["segments"])
snapshots = APIRouter(prefix="/segment-snapshots", tags=["segments"])
Limit = Annotated[int, Query(ge=1, le=500)]


@router.post("/preview", response_model=PreviewOut)
async def preview(session: SessionDep, principal: PrincipalDep, body: Definition) -> PreviewOut:
    """Count the customers a draft rule selects, without saving it."""
    return await service.preview(session, principal.corp, body, visible=principal.visible_userids)


@router.post("/preview/members", response_model=Page[CustomerOut])
async def preview_members(
    session: SessionDep, principal: PrincipalDep, body: DraftMembersIn
) -> Page[CustomerOut]:
    """One page of the customers a draft rule selects (the saved segment's member columns)."""
    definition = Definition(rule=body.rule, include_deleted=body.include_deleted)
    items, next_cursor = await service.draft_members(
        session,
        principal.corp,
        definition,
        cursor=body.cursor,
        limit=body.limit,
        visible=principal.visible_userids,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.post("/preview/export", response_class=Response)
async def preview_export(
    session: SessionDep, principal: PrincipalDep, body: Definition, format: str = "xlsx"
) -> Response:
    """Every customer a draft rule selects, as a file (the saved segment export's columns)."""
    fmt = export.check_format(format)
    corp = principal.corp
    members = service.iter_draft_members(session, corp, body, visible=principal.visible_userids)
    return await _export(members, fmt, "segment-draft", corp.timezone)


@router.get("/index", response_model=IndexStatusOut)
async def index_status(session: SessionDep, principal: PrincipalDep) -> Any:
    """Build state and size of the corp's bitmap index in this process (built for every corp
    when the process starts, in the background)."""
    return REGISTRY.status(session, principal.corp)


@router.get("", response_model=list[SegmentOut])
async def list_segments(session: SessionDep, principal: PrincipalDep) -> list[Any]:
    return await service.list_segments(session, principal.corp_id)


@router.post("", response_model=SegmentOut, status_code=201)
async def create_segment(session: SessionDep, corp: CorpDep, body: SegmentIn) -> Any:
    return await service.create(session, corp, body)


@router.get("/{segment_id}", response_model=SegmentOut)
async def get_segment(session: SessionDep, principal: PrincipalDep, segment_id: Id) -> Any:
    return await service.get(session, principal.corp_id, segment_id)


@router.patch("/{segment_id}", response_model=SegmentOut)
async def update_segment(
    session: SessionDep, corp: CorpDep, segment_id: Id, body: SegmentPatch
) -> Any:
    return await service.update(session, corp, segment_id, body)


@router.delete("/{segment_id}", status_code=204)
async def delete_segment(session: SessionDep, corp: CorpDep, segment_id: Id) -> Response:
    await service.delete(session, corp.id, segment_id)
    return Response(status_code=204)


@router.get("/{segment_id}/count", response_model=PreviewOut)
async def count_segment(session: SessionDep, principal: PrincipalDep, segment_id: Id) -> PreviewOut:
    return await service.count(
        session, principal.corp, segment_id, visible=principal.visible_userids
    )


@router.get("/{segment_id}/members", response_model=Page[CustomerOut])
async def segment_members(
    session: SessionDep,
    principal: PrincipalDep,
    segment_id: Id,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[CustomerOut]:
    items, next_cursor = await service.members(
        session,
        principal.corp,
        segment_id,
        cursor=cursor,
        limit=limit,
        visible=principal.visible_userids,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{segment_id}/export", response_class=Response)
async def export_segment(
    session: SessionDep, principal: PrincipalDep, segment_id: Id, format: str = "xlsx"
) -> Response:
    fmt = export.check_format(format)
    corp = principal.corp
    await service.get(session, corp.id, segment_id)  # a 404 before any file is started
    members = service.iter_members(session, corp, segment_id, visible=principal.visible_userids)
    return await _export(members, fmt, f"segment-{segment_id}", corp.timezone)


async def _export(
    members: AsyncIterator[CustomerOut], fmt: export.Format, name: str, tz: str
) -> Response:
    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for c in members:
            yield export_row(c)

    data = await export.render(fmt, EXPORT_HEADERS, rows(), sheet="segment", tz=tz)
    return Response(
        data,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.post("/{segment_id}/snapshots", response_model=SnapshotOut, status_code=201)
async def freeze_segment(
    session: SessionDep, corp: CorpDep, segment_id: Id, body: SnapshotIn | None = None
) -> Any:
    """Freeze the exact member list of this moment."""
    return await service.freeze(session, corp, segment_id, body or SnapshotIn())


@router.get("/{segment_id}/snapshots", response_model=list[SnapshotOut])
async def list_snapshots(session: SessionDep, corp: CorpDep, segment_id: Id) -> list[Any]:
    return await service.snapshots(session, corp.id, segment_id)


@snapshots.get("/{snapshot_id}", response_model=SnapshotOut)
async def get_snapshot(session: SessionDep, corp: CorpDep, snapshot_id: Id) -> Any:
    return await service.snapshot(session, corp.id, snapshot_id)


@snapshots.get("/{snapshot_id}/members", response_model=Page[CustomerOut])
async def snapshot_members(
    session: SessionDep,
    corp: CorpDep,
    snapshot_id: Id,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[CustomerOut]:
    items, next_cursor = await service.snapshot_members(
        session, corp.id, snapshot_id, cursor=cursor, limit=limit
    )
    return Page(items=items, next_cursor=next_cursor)
