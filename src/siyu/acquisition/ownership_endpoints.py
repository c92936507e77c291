"""Acquisition routes: settings, collisions, owners and loss records."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from siyu.acquisition import attribution, ownership, ownership_views, rotation
from siyu.acquisition.schemas import (
    CollisionOut,
    LossOut,
    OwnerIn,
    OwnerOut,
    SettingsIO,
    SourceOut,
)
from siyu.core.bounds import Id
from siyu.core.export import MEDIA, check_format, render
from siyu.core.pagination import Page
from siyu.core.times import Zoned
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep

router = APIRouter()
LossBy = Literal["customer", "employee"]


@router.get("/settings", response_model=SettingsIO)
async def get_settings(session: SessionDep, corp: CorpDep) -> Any:
    return await ownership.settings(session, corp.id)


@router.put("/settings", response_model=SettingsIO)
async def put_settings(session: SessionDep, corp: CorpDep, body: SettingsIO) -> Any:
    """Collision lock (防撞单) and loss alerts (流失提醒)."""
    return await ownership.update_settings(
        session, corp.id, collision_lock=body.collision_lock, loss_alerts=body.loss_alerts
    )


@router.get("/collisions", response_model=Page[CollisionOut])
async def list_collisions(
    session: SessionDep,
    corp: CorpDep,
    userid: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Id | None = None,
    start: date | None = None,
    end: date | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Adds of a locked customer by a second employee (防撞单), newest first, with names;
    ``start``/``end`` are the corp's calendar days (inclusive); keyset ``cursor``."""
    return await ownership_views.collisions_page(
        session,
        corp.id,
        tz=await rotation.corp_tz(session, corp.id),
        userid=userid,
        customer_id=customer_id,
        start=start,
        end=end,
        cursor=cursor,
        limit=limit,
    )


@router.get("/sources/{customer_id}", response_model=SourceOut)
async def customer_source(session: SessionDep, corp: CorpDep, customer_id: Id) -> Any:
    """The customer's first channel (its source) and every channel add since."""
    return await attribution.source_detail(session, corp.id, customer_id)


@router.get("/owners/{customer_id}", response_model=OwnerOut)
async def get_owner(session: SessionDep, corp: CorpDep, customer_id: Id) -> Any:
    """The owner (归属员工), every change with names, and the employees who could own it."""
    return await ownership_views.owner_out(session, corp.id, customer_id)


@router.put("/owners/{customer_id}", response_model=OwnerOut)
async def reassign_owner(
    session: SessionDep,
    corp: CorpDep,
    principal: PrincipalDep,
    customer_id: Id,
    body: OwnerIn,
) -> Any:
    """Reassign the customer's owner (an operator's decision; the history is kept)."""
    await ownership.reassign(
        session, corp.id, customer_id, userid=body.userid, reason=body.reason, by=principal.name
    )
    return await ownership_views.owner_out(session, corp.id, customer_id)


def _loss_filters(
    by: Annotated[
        LossBy | None, Query(description="customer: 客户删除员工; employee: 员工删除客户")
    ] = None,
    userid: Annotated[str | None, Query(max_length=64)] = None,
    channel_id: Id | None = None,
    keyword: Annotated[str | None, Query(max_length=100, description="customer name")] = None,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    return {
        "by": by,
        "userid": userid,
        "channel_id": channel_id,
        "keyword": keyword,
        "start": start,
        "end": end,
    }


LossFilters = Annotated[dict[str, Any], Depends(_loss_filters)]


@router.get("/losses", response_model=Page[LossOut])
async def list_losses(
    session: SessionDep,
    corp: CorpDep,
    filters: LossFilters,
    since: Zoned | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Relations that ended (流失客户), newest first: ``by=customer`` (the customer deleted the
    employee, who was alerted when loss alerts are on) or ``employee``; ``start``/``end`` are
    the corp's calendar days (inclusive); keyset ``cursor``."""
    return await ownership_views.losses_page(
        session,
        corp.id,
        tz=await rotation.corp_tz(session, corp.id),
        since=since,
        cursor=cursor,
        limit=limit,
        **filters,
    )


@router.get("/losses/counts", response_model=dict[str, int])
async def loss_counts(session: SessionDep, corp: CorpDep, filters: LossFilters) -> Any:
    """Losses per direction (``customer``, ``employee``) under the same filters (``by`` ignored)."""
    filters.pop("by")
    return await ownership_views.loss_counts(
        session, corp.id, tz=await rotation.corp_tz(session, corp.id), **filters
    )


@router.get("/losses/export")
async def export_losses(
    session: SessionDep, corp: CorpDep, filters: LossFilters, format: str = "xlsx"
) -> Response:
    """The loss list under the same filters as XLSX (or CSV), times in the corp's zone."""
    fmt = check_format(format)
    tz = await rotation.corp_tz(session, corp.id)
    rows = ownership_views.loss_export_rows(session, corp.id, tz=tz, **filters)
    data = await render(fmt, ownership_views.LOSS_EXPORT_HEADERS, rows, sheet="流失客户", tz=tz)
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="losses.{fmt}"'},
    )
