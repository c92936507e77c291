"""Acquisition routes: settings, collisions, owners and loss records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from siyu.acquisition import attribution, ownership
from siyu.acquisition.schemas import (
    CollisionOut,
    LossOut,
    OwnerIn,
    OwnerOut,
    SettingsIO,
    SourceOut,
)
from siyu.core.times import Zoned
from siyu.corps.deps import CorpDep, SessionDep

router = APIRouter()


@router.get("/settings", response_model=SettingsIO)
async def get_settings(session: SessionDep, corp: CorpDep) -> Any:
    return await ownership.settings(session, corp.id)


@router.put("/settings", response_model=SettingsIO)
async def put_settings(session: SessionDep, corp: CorpDep, body: SettingsIO) -> Any:
    """Collision lock (防撞单) and loss alerts (流失提醒)."""
    return await ownership.update_settings(
        session, corp.id, collision_lock=body.collision_lock, loss_alerts=body.loss_alerts
    )


@router.get("/collisions", response_model=list[CollisionOut])
async def list_collisions(
    session: SessionDep,
    corp: CorpDep,
    userid: str | None = None,
    customer_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    return await ownership.list_collisions(
        session, corp.id, userid=userid, customer_id=customer_id, limit=limit
    )


@router.get("/sources/{customer_id}", response_model=SourceOut)
async def customer_source(session: SessionDep, corp: CorpDep, customer_id: int) -> Any:
    """The customer's first channel (its source) and every channel add since."""
    return await attribution.source_detail(session, corp.id, customer_id)


@router.get("/owners/{customer_id}", response_model=OwnerOut)
async def get_owner(session: SessionDep, corp: CorpDep, customer_id: int) -> Any:
    owner = await ownership.owner_of(session, corp.id, customer_id)
    hist = await ownership.history(session, corp.id, customer_id)
    return OwnerOut(
        customer_id=customer_id,
        userid=owner.userid if owner else None,
        history=hist,  # type: ignore[arg-type]
    )


@router.put("/owners/{customer_id}", response_model=OwnerOut)
async def reassign_owner(
    session: SessionDep, corp: CorpDep, customer_id: int, body: OwnerIn
) -> Any:
    """Reassign the customer's owner (an operator's decision; the history is kept)."""
    await ownership.reassign(
        session, corp.id, customer_id, userid=body.userid, reason=body.reason, by="api"
    )
    return await get_owner(session, corp, customer_id)


@router.get("/losses", response_model=list[LossOut])
async def list_losses(
    session: SessionDep,
    corp: CorpDep,
    by: str | None = None,
    userid: str | None = None,
    since: Zoned | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    """Relations that ended: ``by=customer`` (流失, the employee was alerted) or ``employee``."""
    return await ownership.list_losses(
        session, corp.id, by=by, userid=userid, since=since, limit=limit
    )
