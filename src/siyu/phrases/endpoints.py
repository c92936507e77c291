"""Reply library routes (/api/v1/phrases): thin; the data scope is the services'."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from siyu.content.serve import file_response
from siyu.core import export
from siyu.core.bounds import Id
from siyu.core.pagination import Page
from siyu.core.uploads import read_capped
from siyu.corps.deps import CorpDep, PrincipalDep, SessionDep, WeComDep
from siyu.phrases import folders, imports, service, stats
from siyu.phrases.schemas import (
    Kind,
    PhraseFolderIn,
    PhraseFolderOut,
    PhraseImageOut,
    PhraseImportOut,
    PhraseIn,
    PhraseMediaOut,
    PhraseOrderIn,
    PhraseOut,
    PhrasePatch,
    PhraseStatsOut,
    PhraseUsedOut,
    Scope,
)

router = APIRouter(prefix="/phrases", tags=["phrases"])
IMAGE_MAX = 10 * 1024 * 1024


def _filters(
    keyword: str | None, folder_id: int | None, no_folder: bool, kind: str | None, scope: str | None
) -> dict[str, Any]:
    return {
        "keyword": keyword,
        "folder_id": folder_id,
        "no_folder": no_folder,
        "kind": kind,
        "scope": scope,
    }


@router.get("", response_model=Page[PhraseOut])
async def list_phrases(
    session: SessionDep,
    principal: PrincipalDep,
    keyword: str | None = Query(default=None, max_length=50, description="part of title or body"),
    folder_id: Id | None = None,
    no_folder: bool = Query(default=False, description="only corp phrases outside every folder"),
    kind: Kind | None = None,
    scope: Scope | None = None,
    cursor: str | None = None,
    limit: int = Query(default=20, ge=1, le=200),
) -> Page[PhraseOut]:
    """The phrases the caller sees: corp phrases published to them (all of them for admins
    and operators) and their own personal phrases, in folder order."""
    rows, nxt = await service.search(
        session,
        principal,
        cursor=cursor,
        limit=limit,
        **_filters(keyword, folder_id, no_folder, kind, scope),
    )
    return Page(items=await service.out(session, principal, rows), next_cursor=nxt)


@router.get("/export", response_class=Response)
async def export_phrases(
    session: SessionDep,
    principal: PrincipalDep,
    corp: CorpDep,
    keyword: str | None = Query(default=None, max_length=50),
    folder_id: Id | None = None,
    no_folder: bool = False,
    kind: Kind | None = None,
    scope: Scope | None = "corp",
    format: str = "xlsx",
) -> Response:
    """The phrases in the import's columns (and their uses)."""
    fmt = export.check_format(format)
    rows = imports.export_rows(
        session, principal, **_filters(keyword, folder_id, no_folder, kind, scope)
    )
    data = await export.render(fmt, imports.EXPORT_HEADERS, rows, sheet="phrases", tz=corp.timezone)
    return Response(
        data,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="phrases.{fmt}"'},
    )


@router.post("/import/preview", response_model=PhraseImportOut)
async def import_preview(
    session: SessionDep, principal: PrincipalDep, file: Annotated[UploadFile, File()]
) -> PhraseImportOut:
    """What an import would do: the rows, the folders it creates, each row's error."""
    data = await read_capped(file, imports.MAX_BYTES)
    return await imports.preview(session, principal, data)


@router.post("/import", response_model=PhraseImportOut, status_code=201)
async def import_phrases(
    session: SessionDep, principal: PrincipalDep, file: Annotated[UploadFile, File()]
) -> PhraseImportOut:
    """Import corp phrases from XLSX (columns as the export's); folders are created by name.
    A row with an error imports nothing (422 naming the rows)."""
    data = await read_capped(file, imports.MAX_BYTES)
    return await imports.run(session, principal, data)


@router.get("/stats", response_model=PhraseStatsOut)
async def phrase_stats(
    session: SessionDep,
    corp: CorpDep,
    since: date | None = Query(default=None, description="first day (the corp's calendar)"),
    until: date | None = Query(default=None, description="last day (the corp's calendar)"),
    top: int = Query(default=20, ge=1, le=200),
) -> PhraseStatsOut:
    """Top corp phrases and uses per employee over days of the corp's time zone."""
    return await stats.stats(session, corp, since=since, until=until, top=top)


@router.get("/stats/export", response_class=Response)
async def export_stats(
    session: SessionDep,
    corp: CorpDep,
    view: Literal["phrases", "employees"] = "phrases",
    since: date | None = None,
    until: date | None = None,
    format: str = "xlsx",
) -> Response:
    fmt = export.check_format(format)
    headers = stats.EMPLOYEE_HEADERS if view == "employees" else stats.TOP_HEADERS
    rows = stats.export_rows(session, corp, view, since=since, until=until)
    data = await export.render(fmt, headers, rows, sheet=view, tz=corp.timezone)
    return Response(
        data,
        media_type=export.MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="phrase-{view}.{fmt}"'},
    )


@router.get("/folders", response_model=list[PhraseFolderOut])
async def list_folders(session: SessionDep, principal: PrincipalDep) -> list[PhraseFolderOut]:
    return await folders.listing(session, principal)


@router.post("/folders", response_model=PhraseFolderOut, status_code=201)
async def create_folder(
    session: SessionDep, corp: CorpDep, body: PhraseFolderIn
) -> PhraseFolderOut:
    return PhraseFolderOut.model_validate(await folders.create(session, corp.id, body.name))


@router.put("/folders/order", response_model=list[PhraseFolderOut])
async def reorder_folders(
    session: SessionDep, corp: CorpDep, body: PhraseOrderIn
) -> list[PhraseFolderOut]:
    """Every folder's id, in the new order."""
    done = await folders.reorder(session, corp.id, list(body.ids))
    return [PhraseFolderOut.model_validate(f) for f in done]


@router.patch("/folders/{folder_id}", response_model=PhraseFolderOut)
async def rename_folder(
    session: SessionDep, corp: CorpDep, folder_id: Id, body: PhraseFolderIn
) -> PhraseFolderOut:
    return PhraseFolderOut.model_validate(
        await folders.rename(session, corp.id, folder_id, body.name)
    )


@router.delete("/folders/{folder_id}")
async def delete_folder(session: SessionDep, corp: CorpDep, folder_id: Id) -> dict[str, int]:
    """Delete a folder; its phrases stay, outside every folder."""
    return {"phrases_unfiled": await folders.delete(session, corp.id, folder_id)}


@router.post("/images", response_model=PhraseImageOut, status_code=201)
async def upload_image(
    session: SessionDep, principal: PrincipalDep, file: Annotated[UploadFile, File()]
) -> PhraseImageOut:
    """Store a JPG or PNG (≤10 MB, WeCom's limit; its type read from its bytes) for an image
    phrase's ``file_id``."""
    content = await read_capped(file, IMAGE_MAX)
    f = await service.store_image(
        session, principal, filename=file.filename or "image", content=content
    )
    return PhraseImageOut(
        file_id=f.id, filename=f.filename, size=f.size, content_type=f.content_type
    )


@router.post("", response_model=PhraseOut, status_code=201)
async def create_phrase(session: SessionDep, principal: PrincipalDep, body: PhraseIn) -> PhraseOut:
    """A corp phrase (admins and operators) or a personal one (``scope: personal``, the
    caller's own)."""
    phrase = await service.create(session, principal, body)
    return (await service.out(session, principal, [phrase]))[0]


@router.put("/order")
async def reorder_phrases(
    session: SessionDep, principal: PrincipalDep, body: PhraseOrderIn
) -> dict[str, int]:
    """The phrases of one folder (or the caller's personal phrases) in their new order."""
    return {"reordered": await service.reorder(session, principal, list(body.ids))}


@router.get("/{phrase_id}", response_model=PhraseOut)
async def get_phrase(session: SessionDep, principal: PrincipalDep, phrase_id: Id) -> PhraseOut:
    phrase = await service.get_visible(session, principal, phrase_id)
    return (await service.out(session, principal, [phrase]))[0]


@router.patch("/{phrase_id}", response_model=PhraseOut)
async def update_phrase(
    session: SessionDep, principal: PrincipalDep, phrase_id: Id, body: PhrasePatch
) -> PhraseOut:
    phrase = await service.update(session, principal, phrase_id, body)
    return (await service.out(session, principal, [phrase]))[0]


@router.delete("/{phrase_id}", status_code=204)
async def delete_phrase(session: SessionDep, principal: PrincipalDep, phrase_id: Id) -> Response:
    await service.delete(session, principal, phrase_id)
    return Response(status_code=204)


@router.get("/{phrase_id}/image", response_class=Response)
async def phrase_image(session: SessionDep, principal: PrincipalDep, phrase_id: Id) -> Response:
    return file_response(await service.image_of(session, principal, phrase_id))


@router.post("/{phrase_id}/wecom-media", response_model=PhraseMediaOut)
async def wecom_media(
    session: SessionDep,
    principal: PrincipalDep,
    client: WeComDep,
    phrase_id: Id,
    fresh: bool = False,
) -> PhraseMediaOut:
    """The image phrase's temporary WeCom media id for ``sendChatMessage`` (uploaded when
    missing, older than ~3 days, or ``fresh``)."""
    phrase = await service.ensure_media(session, principal, client, phrase_id, fresh=fresh)
    assert phrase.media_uploaded_at is not None
    return PhraseMediaOut(media_id=phrase.media_id, uploaded_at=phrase.media_uploaded_at)


@router.post("/{phrase_id}/used", response_model=PhraseUsedOut)
async def phrase_used(session: SessionDep, principal: PrincipalDep, phrase_id: Id) -> PhraseUsedOut:
    """Record one send of the phrase by the caller (the sidebar calls it after a send)."""
    phrase = await service.record_use(session, principal, phrase_id)
    return PhraseUsedOut(id=phrase.id, uses=phrase.uses)
