"""Acquisition routes: channel codes, assets, QR and posters, batch creation, duty, stats.

Group codes (``group_code_endpoints.py``) and ownership routes (``ownership_endpoints.py``)
are included here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from siyu.acquisition import batch, channels, images, rotation, stats, welcome
from siyu.acquisition.group_code_endpoints import router as group_code_router
from siyu.acquisition.ownership_endpoints import router as ownership_router
from siyu.acquisition.schemas import (
    AssetOut,
    BatchPreview,
    BatchResult,
    ChannelCodeIn,
    ChannelCodeOut,
    ChannelCodePatch,
    DutyOut,
    StatsOut,
    WelcomeSendOut,
)
from siyu.core.bounds import Id
from siyu.core.errors import NotFound
from siyu.core.export import MEDIA, Time, check_format, render
from siyu.core.pagination import Page
from siyu.core.uploads import read_capped
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep, WeComDep
from siyu.db.base import utcnow

router = APIRouter(prefix="/acquisition", tags=["acquisition"])
router.include_router(group_code_router)
router.include_router(ownership_router)

EXPORT_HEADERS = [
    "ID",
    "名称",
    "分组",
    "渠道参数 (state)",
    "员工",
    "免验证",
    "标签",
    Time("创建时间"),
]


@router.post("/channels", response_model=ChannelCodeOut, status_code=201)
async def create_channel(
    session: SessionDep, principal: PrincipalDep, client: WeComDep, body: ChannelCodeIn
) -> Any:
    """Create a channel code (a WeCom contact way with a state Siyu generates). Managers and
    staff create codes for employees of their scope only (staff: for themselves)."""
    return await channels.create(
        session, principal.corp_id, client, body, visible=principal.visible_userids
    )


@router.get("/channels", response_model=Page[ChannelCodeOut])
async def list_channels(
    session: SessionDep,
    principal: PrincipalDep,
    group_name: str | None = None,
    userid: str | None = None,
    keyword: str | None = None,
    sort: Annotated[
        str | None, Query(description="name, group_name, created_at or id; - for descending")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """The codes (managers and staff: those that route to an employee of their scope)."""
    return await channels.list_page(
        session,
        principal.corp_id,
        group_name=group_name,
        userid=userid,
        keyword=keyword,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=principal.visible_userids,
    )


@router.get("/channels/export")
async def export_channels(
    session: SessionDep,
    principal: PrincipalDep,
    format: str = "xlsx",
    group_name: str | None = None,
    userid: str | None = None,
    keyword: str | None = None,
    sort: str | None = None,
) -> Response:
    fmt = check_format(format)
    corp = principal.corp

    async def rows() -> AsyncIterator[Sequence[Any]]:  # employees and tags by name
        async for row in channels.export_rows(
            session,
            corp.id,
            group_name=group_name,
            userid=userid,
            keyword=keyword,
            sort=sort,
            visible=principal.visible_userids,
        ):
            yield row

    data = await render(fmt, EXPORT_HEADERS, rows(), sheet="渠道活码", tz=corp.timezone)
    return _file(data, MEDIA[fmt], f"channel_codes.{fmt}")


@router.post("/channels/batch", response_model=BatchResult, status_code=201)
async def batch_create(
    session: SessionDep,
    corp: CorpDep,
    client: WeComDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX: name, employees, group, ...")],
    group_name: Annotated[str, Form()] = "",
) -> Any:
    """One code per row; every row is validated before anything is created in WeCom."""
    created = await batch.create_from_file(
        session,
        corp.id,
        client,
        filename=file.filename or "",
        data=await read_capped(file, batch.MAX_FILE_BYTES),
        group_name=group_name,
    )
    return {"created": created}


@router.post("/channels/batch/preview", response_model=BatchPreview)
async def batch_preview(
    session: SessionDep,
    corp: CorpDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX: name, employees, group, ...")],
    group_name: Annotated[str, Form(max_length=100)] = "",
) -> Any:
    """Check a file without creating anything: every row as it would be created (employees
    and tags by name) with all its errors."""
    return await batch.preview(
        session,
        corp.id,
        filename=file.filename or "",
        data=await read_capped(file, batch.MAX_FILE_BYTES),
        group_name=group_name,
    )


@router.get("/channels/batch/template")
async def batch_template(corp: CorpDep) -> Response:
    """An XLSX to fill in: the columns batch creation reads, with an example row."""
    return _file(batch.template(), MEDIA["xlsx"], "channel_codes_template.xlsx")


@router.get("/channels/{channel_id}", response_model=ChannelCodeOut)
async def get_channel(session: SessionDep, principal: PrincipalDep, channel_id: Id) -> Any:
    return await channels.get(
        session, principal.corp_id, channel_id, visible=principal.visible_userids
    )


@router.patch("/channels/{channel_id}", response_model=ChannelCodeOut)
async def update_channel(
    session: SessionDep,
    principal: PrincipalDep,
    client: WeComDep,
    channel_id: Id,
    body: ChannelCodePatch,
) -> Any:
    """Managers and staff edit only codes entirely within their scope."""
    return await channels.update(
        session, principal.corp_id, client, channel_id, body, visible=principal.visible_userids
    )


@router.delete("/channels/{channel_id}", status_code=204)
async def delete_channel(
    session: SessionDep, principal: PrincipalDep, client: WeComDep, channel_id: Id
) -> None:
    await channels.delete(
        session, principal.corp_id, client, channel_id, visible=principal.visible_userids
    )


@router.get("/channels/{channel_id}/duty", response_model=DutyOut)
async def duty(session: SessionDep, principal: PrincipalDep, channel_id: Id) -> Any:
    """Who is on duty now (rotation), who is off and why, today's adds per employee."""
    corp_id = principal.corp_id
    c = await channels.get(session, corp_id, channel_id, visible=principal.visible_userids)
    return await rotation.duty(session, corp_id, c, now=utcnow())


@router.get("/channels/{channel_id}/welcome_sends", response_model=list[WelcomeSendOut])
async def welcome_sends(session: SessionDep, principal: PrincipalDep, channel_id: Id) -> Any:
    corp_id = principal.corp_id
    await channels.get(session, corp_id, channel_id, visible=principal.visible_userids)
    return await welcome.list_sends(
        session, corp_id, channel_id=channel_id, visible=principal.visible_userids
    )


@router.get("/channels/{channel_id}/qr.png", response_class=Response)
async def qr_image(session: SessionDep, principal: PrincipalDep, channel_id: Id) -> Response:
    c = await channels.get(
        session, principal.corp_id, channel_id, visible=principal.visible_userids
    )
    return _file(images.qr_png(c.qr_code), "image/png", f"channel_{c.id}.png")


@router.get("/channels/{channel_id}/poster.png", response_class=Response)
async def poster(
    session: SessionDep,
    principal: PrincipalDep,
    channel_id: Id,
    background_id: Id | None = None,
    title: str | None = None,
    caption: str = "扫码添加专属顾问",
) -> Response:
    """A poster: background (an uploaded asset, or a gradient) + QR + caption."""
    corp_id = principal.corp_id
    c = await channels.get(session, corp_id, channel_id, visible=principal.visible_userids)
    bg = None
    if background_id is not None:
        a = await welcome.asset(session, corp_id, background_id)
        if a is None:
            raise NotFound(f"asset {background_id} does not exist")
        bg = a.content
    data = images.poster_png(c.qr_code, title=title or c.name, caption=caption, background=bg)
    return _file(data, "image/png", f"poster_{c.id}.png")


@router.post("/assets", response_model=AssetOut, status_code=201)
async def upload_asset(
    session: SessionDep, principal: PrincipalDep, file: Annotated[UploadFile, File()]
) -> Any:
    """Upload an image or file for welcome attachments and poster backgrounds (every role:
    managers and staff attach them to the codes they create)."""
    return await welcome.save_asset(
        session,
        principal.corp_id,
        filename=file.filename or "upload",
        content=await read_capped(file, welcome.MAX_ASSET_BYTES),
    )


@router.get("/stats", response_model=StatsOut)
async def channel_stats(
    session: SessionDep,
    principal: PrincipalDep,
    by: stats.By = "channel",
    start: date | None = None,
    end: date | None = None,
    channel_id: Annotated[list[Id] | None, Query(max_length=100)] = None,
    userid: str | None = None,
    group_name: str | None = None,
) -> Any:
    """New adds, losses (within 1 / 7 days), net growth, retained: per channel, employee or day;
    totals and the daily trend. Days are the corp's local days. Managers and staff: the adds
    through the employees of their scope only."""
    corp_id = principal.corp_id
    tz = await rotation.corp_tz(session, corp_id)
    s, e = stats.check_range(start, end, today=utcnow().astimezone(tz).date())
    return await stats.stats(
        session,
        corp_id,
        start=s,
        end=e,
        by=by,
        channel_ids=channel_id,
        userid=userid,
        group_name=group_name,
        visible=principal.visible_userids,
    )


@router.get("/stats/export")
async def export_stats(
    session: SessionDep,
    principal: PrincipalDep,
    start: date | None = None,
    end: date | None = None,
    channel_id: Annotated[list[Id] | None, Query(max_length=100)] = None,
    userid: str | None = None,
    group_name: str | None = None,
    format: str = "xlsx",
) -> Response:
    """The per channel × employee × day table as XLSX (or CSV); managers and staff: the rows
    of their employees."""
    fmt = check_format(format)
    corp_id = principal.corp_id
    tz = await rotation.corp_tz(session, corp_id)
    s, e = stats.check_range(start, end, today=utcnow().astimezone(tz).date())
    table = await stats.detail_rows(
        session,
        corp_id,
        visible=principal.visible_userids,
        start=s,
        end=e,
        channel_ids=channel_id,
        userid=userid,
        group_name=group_name,
    )

    async def rows() -> AsyncIterator[Sequence[Any]]:
        for r in table:
            yield r

    data = await render(fmt, stats.EXPORT_HEADERS, rows(), sheet="渠道统计", tz=tz)
    return _file(data, MEDIA[fmt], f"channel_stats_{s}_{e}.{fmt}")


def _file(data: bytes, media: str, filename: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
