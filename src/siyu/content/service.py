"""Content items: create, edit, archive, search; radar links. Opens live in
:mod:`siyu.content.opens`, folders in :mod:`siyu.content.folders`, files and WeCom media in
:mod:`siyu.content.media`. Functions take the session and the corp explicitly, never commit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content import folders
from siyu.content import repository as repo
from siyu.content.models import ContentFile, ContentItem
from siyu.content.radar import RadarClaim, sign
from siyu.content.schemas import FILE_KINDS, ContentIn, ContentOut, ContentPatch, RadarLinkIn
from siyu.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from siyu.core.pagination import encode_cursor, id_page_bounds
from siyu.corps.models import Corp
from siyu.corps.principal import Principal
from siyu.customers.models import Customer, FollowRelation
from siyu.db.base import utcnow
from siyu.db.repository import scoped


async def _file(s: AsyncSession, corp_id: int, file_id: int) -> ContentFile:
    f = await s.scalar(scoped(ContentFile, corp_id).where(ContentFile.id == file_id))
    if f is None:
        raise NotFound(f"file {file_id} does not exist; upload it first")
    return f


async def _check(s: AsyncSession, corp_id: int, item: ContentItem) -> None:
    """Each kind's required fields (after create or edit)."""
    if item.kind == "link" and not item.url:
        raise InvalidInput("a link needs a url")
    if item.url and not item.url.startswith(("http://", "https://")):
        raise InvalidInput("the url must start with http:// or https://")
    if item.kind == "article" and not item.body.strip():
        raise InvalidInput("an article needs a body")
    if item.kind == "text" and not (item.body.strip() or item.description.strip()):
        raise InvalidInput("a text item needs a body")
    if item.kind in FILE_KINDS and item.file_id is None:
        raise InvalidInput(f"an {item.kind} item needs an uploaded file (file_id)")
    if item.kind == "miniprogram":
        if not item.appid or not item.page:
            raise InvalidInput("a mini-program needs its appid and page")
        if item.file_id is None:
            raise InvalidInput("a mini-program needs a cover image (file_id)")
    if item.file_id is not None:
        f = await _file(s, corp_id, item.file_id)
        if item.kind in ("image", "miniprogram", "link", "article") and f.content_type not in (
            "image/jpeg",
            "image/png",
        ):
            raise InvalidInput("the cover / image must be a JPG or PNG image")
        item.filename, item.size = f.filename, f.size


async def create(s: AsyncSession, corp: Corp, data: ContentIn) -> ContentItem:
    values = data.model_dump(exclude={"folder", "folder_id", "tags"})
    folder = await folders.resolve(s, corp.id, folder_id=data.folder_id, name=data.folder)
    item = ContentItem(
        corp_id=corp.id,
        uses=0,
        sends=0,
        opens=0,
        folder_id=folder.id if folder else None,
        folder=folder.name if folder else "",
        tags=[],
        **values,
    )
    await _check(s, corp.id, item)
    s.add(item)
    await s.flush()
    await repo.set_tags(s, item, data.tags)
    await s.flush()
    return item


async def get(s: AsyncSession, corp_id: int, item_id: int) -> ContentItem:
    item = await repo.get_item(s, corp_id, item_id)
    if item is None:
        raise NotFound(f"content item {item_id} does not exist")
    return item


async def update(s: AsyncSession, corp: Corp, item_id: int, data: ContentPatch) -> ContentItem:
    item = await get(s, corp.id, item_id)
    if item.archived_at is not None:
        raise Conflict("the item is archived; restore it before editing")
    changes = data.model_dump(exclude_unset=True)
    if "folder_id" in changes:
        folder = await folders.resolve(s, corp.id, folder_id=changes.pop("folder_id"), name="")
        item.folder_id, item.folder = (folder.id, folder.name) if folder else (None, "")
    tags = changes.pop("tags", None)
    for key, value in changes.items():
        if value is not None:
            setattr(item, key, value)
    await _check(s, corp.id, item)
    if tags is not None:
        await repo.set_tags(s, item, tags)
    item.updated_at = utcnow()
    await s.flush()
    return item


async def archive(s: AsyncSession, corp: Corp, item_id: int) -> ContentItem:
    """Soft delete: hidden from the library, its links answer 410 until restored; its
    statistics stay."""
    item = await get(s, corp.id, item_id)
    if item.archived_at is None:
        item.archived_at = utcnow()
    return item


async def restore(s: AsyncSession, corp: Corp, item_id: int) -> ContentItem:
    item = await get(s, corp.id, item_id)
    item.archived_at = None
    return item


async def list_page(
    s: AsyncSession,
    corp: Corp,
    *,
    folder: str | None = None,
    folder_id: int | None = None,
    root: bool = False,
    kind: str | None = None,
    tag: str | None = None,
    keyword: str | None = None,
    archived: bool = False,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[ContentItem], str | None]:
    """Newest first, keyset by id."""
    stmt = repo.items_query(
        corp.id,
        folder=folder,
        folder_id=folder_id,
        root=root,
        kind=kind,
        tag=tag,
        keyword=keyword,
        archived=archived,
    )
    rows = await repo.page(s, stmt, after=id_page_bounds(cursor), limit=limit)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor([rows[-1].id]) if more and rows else None


async def out(s: AsyncSession, corp_id: int, items: Sequence[ContentItem]) -> list[ContentOut]:
    """Replies with the unique-opener counts."""
    unique = await repo.unique_openers(s, corp_id, [i.id for i in items])
    return [
        ContentOut.model_validate(i).model_copy(update={"unique_openers": unique.get(i.id, 0)})
        for i in items
    ]


async def export_rows(s: AsyncSession, corp: Corp, **filters: Any) -> AsyncIterator[Sequence[Any]]:
    cursor: str | None = None
    while True:
        rows, cursor = await list_page(s, corp, cursor=cursor, limit=200, **filters)
        for o in await out(s, corp.id, rows):
            yield [
                o.id,
                o.kind,
                o.title,
                o.folder,
                o.tags,
                o.url,
                o.uses,
                o.sends,
                o.opens,
                o.unique_openers,
                o.created_at,
            ]
        if cursor is None:
            return


async def radar_link(
    s: AsyncSession,
    corp: Corp,
    item_id: int,
    data: RadarLinkIn,
    *,
    secret_key: str,
    base_url: str,
    principal: Principal | None = None,
) -> tuple[str, datetime]:
    """A signed tracked link for one employee (and one customer when known)."""
    if principal is not None and not principal.can_see_userid(data.userid):
        raise Forbidden("you may make radar links for yourself only")
    item = await get(s, corp.id, item_id)
    if item.archived_at is not None:
        raise Conflict("the item is archived; restore it to make new links")
    if data.customer_id is not None:
        stmt = scoped(Customer, corp.id, Customer.id).where(Customer.id == data.customer_id)
        if principal is not None and principal.visible_userids is not None:
            # within a data scope: a customer the link's employee follows (else unknown)
            stmt = stmt.where(
                exists().where(
                    FollowRelation.corp_id == corp.id,
                    FollowRelation.customer_id == Customer.id,
                    FollowRelation.userid == data.userid,
                    FollowRelation.deleted_at.is_(None),
                )
            )
        found = await s.scalar(stmt)
        if found is None:
            raise NotFound(f"customer {data.customer_id} does not exist")
    expires = utcnow() + timedelta(days=data.ttl_days)
    claim = RadarClaim(
        corp.id,
        item.id,
        data.customer_id or 0,
        data.userid,
        int(expires.timestamp()),
        epoch=item.link_epoch,
    )
    item.uses += 1
    return link_url(claim, secret_key=secret_key, base_url=base_url), expires


def link_url(claim: RadarClaim, *, secret_key: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/r/{sign(claim, secret_key=secret_key)}"


async def find(s: AsyncSession, corp_id: int, item_id: int) -> ContentItem | None:
    """The item, archived or not, or None (for other domains that refer to items)."""
    return await repo.get_item(s, corp_id, item_id)
