"""Acquisition routes: group codes (群活码): list, export, CRUD, QR / poster, stats."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from siyu.acquisition import group_codes, images, rotation, stats
from siyu.acquisition.schemas import GroupCodeIn, GroupCodeOut, GroupCodeStats
from siyu.core.bounds import Id
from siyu.core.export import MEDIA, Time, check_format, render
from siyu.core.pagination import Page
from siyu.corps.deps import CorpDep, SessionDep, WeComDep
from siyu.db.base import utcnow

router = APIRouter()

EXPORT_HEADERS = [
    "ID",
    "名称",
    "state",
    "群聊",
    "自动建群",
    "新群名称",
    "入群人数",
    Time("创建时间"),
]
SortParam = Annotated[
    str | None, Query(description="name, created_at or id; prefix - for descending")
]


@router.post("/group-codes", response_model=GroupCodeOut, status_code=201)
async def create_group_code(
    session: SessionDep, corp: CorpDep, client: WeComDep, body: GroupCodeIn
) -> Any:
    return await group_codes.create(session, corp.id, client, body)


@router.get("/group-codes", response_model=Page[GroupCodeOut])
async def list_group_codes(
    session: SessionDep,
    corp: CorpDep,
    keyword: str | None = None,
    chat_id: str | None = None,
    sort: SortParam = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """Live group codes, filtered by name/state or by a group chat, with all-time joins."""
    page = await group_codes.list_page(
        session, corp.id, keyword=keyword, chat_id=chat_id, sort=sort, cursor=cursor, limit=limit
    )
    joins = await group_codes.join_counts(session, corp.id, [c.id for c in page.items])
    items = [
        GroupCodeOut.model_validate(c).model_copy(update={"joins": joins.get(c.id, 0)})
        for c in page.items
    ]
    return Page(items=items, next_cursor=page.next_cursor)


@router.get("/group-codes/export")
async def export_group_codes(
    session: SessionDep,
    corp: CorpDep,
    format: str = "xlsx",
    keyword: str | None = None,
    chat_id: str | None = None,
    sort: SortParam = None,
) -> Response:
    fmt = check_format(format)

    async def rows() -> AsyncIterator[Sequence[Any]]:
        cursor: str | None = None
        while True:
            page = await group_codes.list_page(
                session,
                corp.id,
                keyword=keyword,
                chat_id=chat_id,
                sort=sort,
                cursor=cursor,
                limit=500,
            )
            joins = await group_codes.join_counts(session, corp.id, [c.id for c in page.items])
            for c in page.items:
                yield [
                    c.id,
                    c.name,
                    c.state,
                    c.chat_ids,
                    "是" if c.auto_create_room else "否",
                    c.room_base_name,
                    joins.get(c.id, 0),
                    c.created_at,
                ]
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    data = await render(fmt, EXPORT_HEADERS, rows(), sheet="群活码", tz=corp.timezone)
    return _file(data, MEDIA[fmt], f"group_codes.{fmt}")


@router.get("/group-codes/{code_id}", response_model=GroupCodeOut)
async def get_group_code(session: SessionDep, corp: CorpDep, code_id: Id) -> Any:
    return await group_codes.get(session, corp.id, code_id)


@router.put("/group-codes/{code_id}", response_model=GroupCodeOut)
async def update_group_code(
    session: SessionDep, corp: CorpDep, client: WeComDep, code_id: Id, body: GroupCodeIn
) -> Any:
    return await group_codes.update(session, corp.id, client, code_id, body)


@router.delete("/group-codes/{code_id}", status_code=204)
async def delete_group_code(
    session: SessionDep, corp: CorpDep, client: WeComDep, code_id: Id
) -> None:
    await group_codes.delete(session, corp.id, client, code_id)


@router.get("/group-codes/{code_id}/qr.png", response_class=Response)
async def group_code_qr(session: SessionDep, corp: CorpDep, code_id: Id) -> Response:
    c = await group_codes.get(session, corp.id, code_id)
    return _file(images.qr_png(c.qr_code), "image/png", f"group_code_{c.id}.png")


@router.get("/group-codes/{code_id}/poster.png", response_class=Response)
async def group_code_poster(
    session: SessionDep,
    corp: CorpDep,
    code_id: Id,
    title: str | None = None,
    caption: str = "扫码加入群聊",
) -> Response:
    c = await group_codes.get(session, corp.id, code_id)
    data = images.poster_png(c.qr_code, title=title or c.name, caption=caption)
    return _file(data, "image/png", f"group_code_poster_{c.id}.png")


@router.get("/group-codes/{code_id}/stats", response_model=GroupCodeStats)
async def group_code_stats(
    session: SessionDep,
    corp: CorpDep,
    code_id: Id,
    start: date | None = None,
    end: date | None = None,
) -> Any:
    """Joins and leaves through the code, per group chat and in total (all time), and per
    local day of the corp over ``start``..``end`` (default the last 30 days)."""
    tz = await rotation.corp_tz(session, corp.id)
    s, e = stats.check_range(start, end, today=utcnow().astimezone(tz).date())
    return await group_codes.code_stats(session, corp.id, code_id, start=s, end=e, tz=tz)


def _file(data: bytes, media: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
