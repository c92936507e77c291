"""Content library routes (/api/v1/content); the public radar routes are in
:mod:`siyu.content.radar_endpoints` (re-exported here as ``public``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response

from siyu.content import folders, media, opens, revoke, service
from siyu.content import repository as repo
from siyu.content.radar_endpoints import public
from siyu.content.schemas import (
    ContentIn,
    ContentOut,
    ContentPatch,
    ContentStats,
    FolderIn,
    FolderOut,
    FolderPatch,
    MediaOut,
    MoveIn,
    RadarLinkIn,
    RadarLinkOut,
    RadarOpenOut,
    RadarRevokeIn,
    RadarRevokeOut,
    TagCount,
)
from siyu.content.serve import file_response
from siyu.core import export
from siyu.core.bounds import Id
from siyu.core.errors import InvalidInput
from siyu.core.pagination import Page
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep, SettingsDep, WeComDep

__all__ = ["public", "router"]

router = APIRouter(prefix="/content", tags=["content"])
EXPORT_HEADERS = [
    "ID",
    "类型",
    "标题",
    "文件夹",
    "标签",
    "链接",
    "雷达链接",
    "发送",
    "打开",
    "打开人数",
    export.Time("创建时间"),
]
UploadKind = Literal["image", "file", "video"]
MAX_READ = 20 * 1024 * 1024 + 1


@router.post("", response_model=ContentOut, status_code=201)
async def create(session: SessionDep, corp: CorpDep, body: ContentIn) -> ContentOut:
    item = await service.create(session, corp, body)
    return (await service.out(session, corp.id, [item]))[0]


def _filters(
    folder: str | None,
    folder_id: int | None,
    root: bool,
    kind: str | None,
    tag: str | None,
    keyword: str | None,
    archived: bool,
) -> dict[str, Any]:
    return {
        "folder": folder,
        "folder_id": folder_id,
        "root": root,
        "kind": kind,
        "tag": tag,
        "keyword": keyword,
        "archived": archived,
    }


@router.get("", response_model=Page[ContentOut])
async def list_items(
    session: SessionDep,
    principal: PrincipalDep,
    folder: str | None = Query(default=None, description="a folder by name"),
    folder_id: Id | None = None,
    root: bool = Query(default=False, description="only items outside every folder"),
    kind: str | None = None,
    tag: str | None = None,
    keyword: str | None = Query(default=None, max_length=50),
    archived: bool = Query(default=False, description="the archived (deleted) items instead"),
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=200),
) -> Page[ContentOut]:
    """Search title, description, body and tags; filter by folder, kind and tag."""
    corp = principal.corp
    rows, nxt = await service.list_page(
        session,
        corp,
        cursor=cursor,
        limit=limit,
        **_filters(folder, folder_id, root, kind, tag, keyword, archived),
    )
    return Page(items=await service.out(session, corp.id, rows), next_cursor=nxt)


@router.get("/export", response_class=Response)
async def export_items(
    session: SessionDep,
    corp: CorpDep,
    folder_id: Id | None = None,
    root: bool = False,
    kind: str | None = None,
    tag: str | None = None,
    keyword: str | None = Query(default=None, max_length=50),
    archived: bool = False,
    format: str = "xlsx",
) -> Response:
    fmt = export.check_format(format)
    filters = _filters(None, folder_id, root, kind, tag, keyword, archived)
    rows = service.export_rows(session, corp, **filters)
    data = await export.render(fmt, EXPORT_HEADERS, rows, sheet="content", tz=corp.timezone)
    return Response(
        data,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="content.{fmt}"'},
    )


@router.get("/tags", response_model=list[TagCount])
async def tags(session: SessionDep, principal: PrincipalDep) -> list[TagCount]:
    rows = await repo.tag_counts(session, principal.corp.id)
    return [TagCount(tag=t, items=n) for t, n in rows]


@router.get("/folders", response_model=list[FolderOut])
async def list_folders(session: SessionDep, principal: PrincipalDep) -> list[FolderOut]:
    """Every folder (build the tree from ``parent_id``) with its number of items."""
    return await folders.listing(session, principal.corp)


@router.post("/folders", response_model=FolderOut, status_code=201)
async def create_folder(session: SessionDep, corp: CorpDep, body: FolderIn) -> FolderOut:
    return FolderOut.model_validate(await folders.create(session, corp, body))


@router.patch("/folders/{folder_id}", response_model=FolderOut)
async def update_folder(
    session: SessionDep, corp: CorpDep, folder_id: Id, body: FolderPatch
) -> FolderOut:
    return FolderOut.model_validate(await folders.update(session, corp, folder_id, body))


@router.delete("/folders/{folder_id}")
async def delete_folder(session: SessionDep, corp: CorpDep, folder_id: Id) -> dict[str, int]:
    """Delete a folder: its items go to the root, its subfolders move up."""
    return await folders.delete(session, corp, folder_id)


@router.post("/move")
async def move(session: SessionDep, corp: CorpDep, body: MoveIn) -> dict[str, int]:
    return {"moved": await folders.move(session, corp, body)}


async def _read(upload: UploadFile) -> bytes:
    data = await upload.read(MAX_READ)
    if len(data) >= MAX_READ:
        raise InvalidInput("the uploaded file exceeds 20 MB (WeCom's limit)")
    return data


@router.post("/files", status_code=201)
async def upload_file(
    session: SessionDep,
    corp: CorpDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[UploadKind, Form()] = "image",
) -> dict[str, Any]:
    """Store a file (e.g. a cover image) to reference as ``file_id``."""
    f = await media.store(
        session,
        corp.id,
        kind=kind,
        filename=file.filename or "",
        content=await _read(file),
    )
    return {"id": f.id, "filename": f.filename, "size": f.size, "content_type": f.content_type}


@router.post("/upload", response_model=ContentOut, status_code=201)
async def upload_item(
    session: SessionDep,
    corp: CorpDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[UploadKind, Form()],
    title: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
    folder_id: Annotated[Id | None, Form()] = None,
    tags: Annotated[str, Form(description="comma separated")] = "",
) -> ContentOut:
    """Upload an image, file or video and create its library item in one step."""
    f = await media.store(
        session,
        corp.id,
        kind=kind,
        filename=file.filename or "",
        content=await _read(file),
    )
    data = ContentIn(
        kind=kind,
        title=title.strip() or f.filename,
        description=description,
        folder_id=folder_id,
        tags=[t for t in tags.replace("，", ",").split(",")],
        file_id=f.id,
    )
    item = await service.create(session, corp, data)
    return (await service.out(session, corp.id, [item]))[0]


@router.get("/{item_id}", response_model=ContentOut)
async def get_item(session: SessionDep, principal: PrincipalDep, item_id: Id) -> ContentOut:
    item = await service.get(session, principal.corp.id, item_id)
    return (await service.out(session, principal.corp.id, [item]))[0]


@router.patch("/{item_id}", response_model=ContentOut)
async def update_item(
    session: SessionDep, corp: CorpDep, item_id: Id, body: ContentPatch
) -> ContentOut:
    item = await service.update(session, corp, item_id, body)
    return (await service.out(session, corp.id, [item]))[0]


@router.delete("/{item_id}", response_model=ContentOut)
async def archive_item(session: SessionDep, corp: CorpDep, item_id: Id) -> ContentOut:
    """Archive (soft delete): hidden from the library, its sent links answer 410 until it is
    restored; statistics remain."""
    item = await service.archive(session, corp, item_id)
    return (await service.out(session, corp.id, [item]))[0]


@router.post("/{item_id}/restore", response_model=ContentOut)
async def restore_item(session: SessionDep, corp: CorpDep, item_id: Id) -> ContentOut:
    item = await service.restore(session, corp, item_id)
    return (await service.out(session, corp.id, [item]))[0]


@router.get("/{item_id}/file", response_class=Response)
async def item_file(session: SessionDep, principal: PrincipalDep, item_id: Id) -> Response:
    item = await service.get(session, principal.corp.id, item_id)
    return file_response(await media.file_of(session, item))


@router.post("/{item_id}/radar-links", response_model=RadarLinkOut, status_code=201)
async def radar_link(
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    item_id: Id,
    body: RadarLinkIn,
) -> RadarLinkOut:
    """A signed tracked link for one employee and (when known) one customer; without a
    customer, openers are identified by OAuth."""
    url, expires = await service.radar_link(
        session,
        principal.corp,
        item_id,
        body,
        secret_key=settings.secret_key.get_secret_value(),
        base_url=settings.base_url,
        principal=principal,
    )
    return RadarLinkOut(url=url, expires_at=expires)


@router.post("/{item_id}/radar-links/revoke", response_model=RadarRevokeOut)
async def revoke_radar_links(
    session: SessionDep, corp: CorpDep, settings: SettingsDep, item_id: Id, body: RadarRevokeIn
) -> RadarRevokeOut:
    """Revoke one link (``link``: its URL; ``open_id``: the link an open came through) or
    every link made so far (``all``); a revoked link answers 410. New links still work."""
    item = await service.get(session, corp.id, item_id)
    return await revoke.revoke(
        session, corp, item, body, secret_key=settings.secret_key.get_secret_value()
    )


@router.get("/{item_id}/opens", response_model=list[RadarOpenOut])
async def item_opens(
    session: SessionDep, corp: CorpDep, item_id: Id, limit: int = Query(default=100, ge=1, le=1000)
) -> list[RadarOpenOut]:
    await service.get(session, corp.id, item_id)
    return await opens.opens(session, corp, item_id=item_id, limit=limit)


@router.get("/{item_id}/stats", response_model=ContentStats)
async def item_stats(session: SessionDep, corp: CorpDep, item_id: Id) -> ContentStats:
    """Links made, sends, opens, unique openers, read time and the most recent opens."""
    item = await service.get(session, corp.id, item_id)
    return await opens.stats(session, corp, item=item)


@router.post("/{item_id}/wecom-media", response_model=MediaOut)
async def wecom_media(
    session: SessionDep, corp: CorpDep, client: WeComDep, item_id: Id, fresh: bool = False
) -> MediaOut:
    """The item's temporary WeCom media id (uploaded when missing, older than ~3 days, or
    ``fresh``), e.g. for the sidebar's sendChatMessage."""
    item = await service.get(session, corp.id, item_id)
    media_id = await media.ensure_media(session, item, client, fresh=fresh)
    assert item.media_uploaded_at is not None
    return MediaOut(media_id=media_id, uploaded_at=item.media_uploaded_at)
