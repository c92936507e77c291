"""Content library routes (/api/v1/content) and the public radar redirect (/r/{token})."""

from __future__ import annotations

import html

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from siyu.acquisition.tasks import send_app_message
from siyu.api.deps import CorpDep, SessionDep, SettingsDep
from siyu.content import service
from siyu.content.schemas import ContentIn, ContentOut, RadarLinkIn, RadarLinkOut, RadarOpenOut
from siyu.core.pagination import Page
from siyu.worker import outbox

router = APIRouter(prefix="/content", tags=["content"])
public = APIRouter(include_in_schema=False)


@router.post("", response_model=ContentOut, status_code=201)
async def create(session: SessionDep, corp: CorpDep, body: ContentIn) -> ContentOut:
    return ContentOut.model_validate(await service.create(session, corp, body))


@router.get("", response_model=Page[ContentOut])
async def list_items(
    session: SessionDep,
    corp: CorpDep,
    folder: str | None = None,
    keyword: str | None = Query(default=None, max_length=50),
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=200),
) -> Page[ContentOut]:
    rows, nxt = await service.list_page(
        session, corp, folder=folder, keyword=keyword, cursor=cursor, limit=limit
    )
    return Page(items=[ContentOut.model_validate(r) for r in rows], next_cursor=nxt)


@router.get("/{item_id}", response_model=ContentOut)
async def get_item(session: SessionDep, corp: CorpDep, item_id: int) -> ContentOut:
    return ContentOut.model_validate(await service.get(session, corp.id, item_id))


@router.post("/{item_id}/radar-links", response_model=RadarLinkOut, status_code=201)
async def radar_link(
    session: SessionDep, corp: CorpDep, settings: SettingsDep, item_id: int, body: RadarLinkIn
) -> RadarLinkOut:
    """A signed tracked link for one employee and (when known) one customer."""
    url, expires = await service.radar_link(
        session,
        corp,
        item_id,
        body,
        secret_key=settings.secret_key.get_secret_value(),
        base_url=settings.base_url,
    )
    return RadarLinkOut(url=url, expires_at=expires)


@router.get("/{item_id}/opens", response_model=list[RadarOpenOut])
async def opens(
    session: SessionDep, corp: CorpDep, item_id: int, limit: int = Query(default=100, le=1000)
) -> list[RadarOpenOut]:
    rows = await service.opens(session, corp, item_id, limit=limit)
    return [RadarOpenOut.model_validate(r) for r in rows]


@public.get("/r/{token}")
async def open_link(session: SessionDep, settings: SettingsDep, token: str) -> Response:
    """Record the open, then redirect to the link (articles are rendered here)."""
    item, msg_id = await service.record_open(
        session, token, secret_key=settings.secret_key.get_secret_value()
    )
    if msg_id is not None:
        outbox.enqueue(session, send_app_message, item.corp_id, msg_id)
    if item.kind == "article" or not item.url:
        page = f"<h1>{html.escape(item.title)}</h1><div>{html.escape(item.body)}</div>"
        return HTMLResponse(f"<!doctype html><meta charset=utf-8>{page}")
    return RedirectResponse(item.url, status_code=302)
