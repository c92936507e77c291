"""Inbound event routes (operators see what WeCom sent and how it was processed)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from siyu.core.pagination import Page, encode_cursor, id_page_bounds
from siyu.corps.deps import CorpDep, SessionDep
from siyu.events import repository, spool

router = APIRouter(prefix="/events", tags=["events"])


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event: str
    change_type: str
    payload: dict[str, Any]
    received_at: datetime
    status: str
    attempts: int
    error: str | None
    processed_at: datetime | None


@router.get("", response_model=Page[EventOut])
async def list_events(
    session: SessionDep,
    corp: CorpDep,
    status: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[EventOut]:
    """Newest first."""
    rows = await repository.list_events(
        session, corp.id, status=status, limit=limit + 1, before_id=id_page_bounds(cursor)
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[EventOut.model_validate(r) for r in rows],
        next_cursor=encode_cursor([rows[-1].id]) if more and rows else None,
    )


@router.get("/counts")
async def counts(session: SessionDep, corp: CorpDep, request: Request) -> dict[str, int]:
    """Events by status. ``received``: acknowledged to WeCom and not yet taken by a worker
    (SQLite's callback spool, see ``siyu.events.spool``); then ``pending``, ``done``,
    ``failed``."""
    out = await repository.counts(session, corp.id)
    received = await spool.waiting(request.app.state.db.url, corp.id)
    return {"received": received, **out} if received else out
