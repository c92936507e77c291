"""Broadcast routes (群发): create, preview, list, export, detail, ledger, remind, cancel, sync."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import APIRouter, Query, Response

from siyu.broadcasts import scope, service
from siyu.broadcasts.schemas import (
    ActionResult,
    Audience,
    BroadcastCreate,
    BroadcastDetail,
    BroadcastOut,
    BroadcastSettingsIO,
    Preview,
    RecipientOut,
)
from siyu.broadcasts.tasks import run_broadcast, sync_broadcast
from siyu.core import export
from siyu.core.bounds import Id
from siyu.core.pagination import Page
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep, WeComDep
from siyu.messaging import outbox

router = APIRouter(prefix="/broadcasts", tags=["broadcasts"])
LIST_HEADERS = [
    "ID",
    "名称",
    "状态",
    export.Time("计划发送"),
    export.Time("创建时间"),
    "客户数",
    "员工数",
    "已发送",
    "频次受限",
]
LEDGER_HEADERS = ["客户", "客户ID", "员工", "状态", "原因", export.Time("发送时间")]


@router.get("/settings", response_model=BroadcastSettingsIO)
async def get_settings(session: SessionDep, corp: CorpDep) -> BroadcastSettingsIO:
    return BroadcastSettingsIO(cap_rule=await service.cap_rule(session, corp.id))  # type: ignore[arg-type]


@router.put("/settings", response_model=BroadcastSettingsIO)
async def put_settings(
    session: SessionDep, corp: CorpDep, body: BroadcastSettingsIO
) -> BroadcastSettingsIO:
    """The per-customer cap rule your corp has in WeCom (Siyu cannot read it from WeCom)."""
    await service.set_cap_rule(session, corp, rule=body.cap_rule)
    return body


@router.post("/preview", response_model=Preview)
async def preview(session: SessionDep, principal: PrincipalDep, body: Audience) -> Preview:
    """Recipients, senders, calls, and how many recipients the frequency cap will block
    (managers and staff: through the employees of their scope only)."""
    return await service.preview(session, principal.corp, audience=body, principal=principal)


@router.post("", response_model=BroadcastOut, status_code=201)
async def create(
    session: SessionDep, principal: PrincipalDep, body: BroadcastCreate
) -> BroadcastOut:
    """Immediate broadcasts are queued now; scheduled ones by the minute's due-scan.
    Managers and staff send only through the employees of their scope (``userids``)."""
    corp = principal.corp
    b = await service.create(
        session, corp, data=body, created_by=principal.name, principal=principal
    )
    if b.status == "planning":
        outbox.enqueue(session, run_broadcast, corp.id, b.id)
    return BroadcastOut.model_validate(b)


@router.get("", response_model=Page[BroadcastOut])
async def list_broadcasts(
    session: SessionDep,
    principal: PrincipalDep,
    status: str | None = None,
    keyword: str | None = Query(default=None, max_length=50),
    sort: str | None = Query(
        default=None, description="name, status, total, senders, created_at or id; - descending"
    ),
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=200),
) -> Page[BroadcastOut]:
    rows, nxt = await service.list_page(
        session,
        principal.corp,
        status=status,
        keyword=keyword,
        cursor=cursor,
        limit=limit,
        sort=sort,
        creator=scope.creator_of(principal),
    )
    return Page(items=[BroadcastOut.model_validate(b) for b in rows], next_cursor=nxt)


@router.get("/export", response_class=Response)
async def export_broadcasts(
    session: SessionDep,
    principal: PrincipalDep,
    status: str | None = None,
    keyword: str | None = Query(default=None, max_length=50),
    sort: str | None = None,
    format: str = "xlsx",
) -> Response:
    fmt = export.check_format(format)
    service.check_sort(sort)
    corp, creator = principal.corp, scope.creator_of(principal)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        cursor: str | None = None
        while True:
            page, cursor = await service.list_page(
                session,
                corp,
                status=status,
                keyword=keyword,
                cursor=cursor,
                limit=200,
                sort=sort,
                creator=creator,
            )
            for b in page:
                yield [
                    b.id,
                    b.name,
                    b.status,
                    b.scheduled_at,
                    b.created_at,
                    b.total,
                    b.senders,
                    b.counts.get("sent", 0),
                    b.counts.get("not_sent", 0),
                ]
            if cursor is None:
                return

    data = await export.render(fmt, LIST_HEADERS, rows(), sheet="broadcasts", tz=corp.timezone)
    return Response(
        data,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="broadcasts.{fmt}"'},
    )


@router.get("/{broadcast_id}", response_model=BroadcastDetail)
async def detail(session: SessionDep, principal: PrincipalDep, broadcast_id: Id) -> BroadcastDetail:
    """Live counts by state and every sender job (per employee) with its own counts."""
    return await service.detail(
        session, principal.corp, broadcast_id, creator=scope.creator_of(principal)
    )


@router.get("/{broadcast_id}/recipients", response_model=Page[RecipientOut])
async def recipients(
    session: SessionDep,
    principal: PrincipalDep,
    broadcast_id: Id,
    state: str | None = None,
    userid: str | None = None,
    cursor: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> Page[RecipientOut]:
    corp = principal.corp
    rows, nxt = await service.recipients_page(
        session,
        corp,
        broadcast_id,
        state=state,
        userid=userid,
        cursor=cursor,
        limit=limit,
        creator=scope.creator_of(principal),
    )
    return Page(items=await service.named_recipients(session, corp.id, rows), next_cursor=nxt)


@router.get("/{broadcast_id}/recipients/export", response_class=Response)
async def export_recipients(
    session: SessionDep, principal: PrincipalDep, broadcast_id: Id, format: str = "xlsx"
) -> Response:
    fmt = export.check_format(format)
    corp = principal.corp
    await service.get(session, corp, broadcast_id, creator=scope.creator_of(principal))
    rows = service.export_rows(session, corp, broadcast_id, creator=scope.creator_of(principal))
    data = await export.render(fmt, LEDGER_HEADERS, rows, sheet="recipients", tz=corp.timezone)
    return Response(
        data,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="broadcast-{broadcast_id}.{fmt}"'},
    )


@router.post("/{broadcast_id}/remind", response_model=ActionResult)
async def remind(
    session: SessionDep, principal: PrincipalDep, client: WeComDep, broadcast_id: Id
) -> ActionResult:
    """Remind employees who have not sent yet (WeCom: ≤3 per message per 24 h)."""
    return await service.remind(
        session, principal.corp, broadcast_id, client=client, creator=scope.creator_of(principal)
    )


@router.post("/{broadcast_id}/cancel", response_model=ActionResult)
async def cancel(
    session: SessionDep, principal: PrincipalDep, client: WeComDep, broadcast_id: Id
) -> ActionResult:
    """Stop the broadcast; its results are synced right after (unsent customers: cancelled)."""
    result = await service.cancel(
        session, principal.corp, broadcast_id, client=client, creator=scope.creator_of(principal)
    )
    outbox.enqueue(session, sync_broadcast, principal.corp_id, broadcast_id)
    return result


@router.post("/{broadcast_id}/sync", status_code=202)
async def sync(session: SessionDep, principal: PrincipalDep, broadcast_id: Id) -> dict[str, str]:
    """Queue a result sync now (it also runs every 10 minutes for 3 days); a stalled
    submission is resumed as well."""
    corp = principal.corp
    b = await service.get(session, corp, broadcast_id, creator=scope.creator_of(principal))
    if b.status in ("planning", "submitting"):
        outbox.enqueue(session, run_broadcast, corp.id, b.id)
    outbox.enqueue(session, sync_broadcast, corp.id, b.id)
    return {"status": "queued"}
