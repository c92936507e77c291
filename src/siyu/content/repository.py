"""Every query of the content library (scoped by corp)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, distinct, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.content.models import (
    ContentFolder,
    ContentItem,
    ContentTag,
    RadarOpen,
    RadarRevokedLink,
)
from siyu.customers.models import Customer
from siyu.db.repository import scoped


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def items_query(
    corp_id: int,
    *,
    folder: str | None = None,
    folder_id: int | None = None,
    root: bool = False,
    kind: str | None = None,
    tag: str | None = None,
    keyword: str | None = None,
    archived: bool = False,
) -> Select[Any]:
    """Items matching the filters (search: title, description, body, tags)."""
    i = ContentItem
    stmt = scoped(i, corp_id)
    stmt = stmt.where(i.archived_at.is_not(None) if archived else i.archived_at.is_(None))
    if folder is not None:
        stmt = stmt.where(i.folder == folder)
    if folder_id is not None:
        stmt = stmt.where(i.folder_id == folder_id)
    elif root:
        stmt = stmt.where(i.folder_id.is_(None))
    if kind:
        stmt = stmt.where(i.kind == kind)
    if tag:
        stmt = stmt.where(exists().where(ContentTag.item_id == i.id, ContentTag.tag == tag))
    if keyword:
        pattern = _like(keyword)
        stmt = stmt.where(
            or_(
                i.title.like(pattern, escape="\\"),
                i.description.like(pattern, escape="\\"),
                i.body.like(pattern, escape="\\"),
                exists().where(
                    ContentTag.item_id == i.id, ContentTag.tag.like(pattern, escape="\\")
                ),
            )
        )
    return stmt


async def page(
    s: AsyncSession, stmt: Select[Any], *, after: int | None, limit: int
) -> list[ContentItem]:
    if after is not None:
        stmt = stmt.where(ContentItem.id < after)
    return list((await s.scalars(stmt.order_by(ContentItem.id.desc()).limit(limit + 1))).all())


async def get_item(s: AsyncSession, corp_id: int, item_id: int) -> ContentItem | None:
    return await s.scalar(scoped(ContentItem, corp_id).where(ContentItem.id == item_id))


async def set_tags(s: AsyncSession, item: ContentItem, tags: list[str]) -> None:
    await s.execute(delete(ContentTag).where(ContentTag.item_id == item.id))
    for tag in tags:
        s.add(ContentTag(corp_id=item.corp_id, item_id=item.id, tag=tag))
    item.tags = list(tags)


async def tag_counts(s: AsyncSession, corp_id: int) -> list[tuple[str, int]]:
    stmt = (
        select(ContentTag.tag, func.count())
        .join(ContentItem, ContentItem.id == ContentTag.item_id)
        .where(ContentTag.corp_id == corp_id, ContentItem.archived_at.is_(None))
        .group_by(ContentTag.tag)
        .order_by(func.count().desc(), ContentTag.tag)
    )
    return [(t, int(n)) for t, n in (await s.execute(stmt)).all()]


async def unique_openers(s: AsyncSession, corp_id: int, item_ids: Sequence[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    stmt = (
        select(RadarOpen.item_id, func.count(distinct(RadarOpen.customer_id)))
        .where(
            RadarOpen.corp_id == corp_id,
            RadarOpen.item_id.in_(list(item_ids)),
            RadarOpen.customer_id.is_not(None),
        )
        .group_by(RadarOpen.item_id)
    )
    return {i: int(n) for i, n in (await s.execute(stmt)).all()}


# ---------------------------------------------------------------------- folders


async def folders(s: AsyncSession, corp_id: int) -> list[ContentFolder]:
    stmt = scoped(ContentFolder, corp_id).order_by(ContentFolder.name, ContentFolder.id)
    return list((await s.scalars(stmt)).all())


async def folder_item_counts(s: AsyncSession, corp_id: int) -> dict[int | None, int]:
    stmt = (
        select(ContentItem.folder_id, func.count())
        .where(ContentItem.corp_id == corp_id, ContentItem.archived_at.is_(None))
        .group_by(ContentItem.folder_id)
    )
    return {f: int(n) for f, n in (await s.execute(stmt)).all()}


async def get_folder(s: AsyncSession, corp_id: int, folder_id: int) -> ContentFolder | None:
    return await s.scalar(scoped(ContentFolder, corp_id).where(ContentFolder.id == folder_id))


async def folder_by_name(
    s: AsyncSession, corp_id: int, name: str, parent_id: int | None
) -> ContentFolder | None:
    f = ContentFolder
    parent = f.parent_id.is_(None) if parent_id is None else f.parent_id == parent_id
    return await s.scalar(scoped(f, corp_id).where(f.name == name, parent).limit(1))


async def rename_items_folder(s: AsyncSession, corp_id: int, folder_id: int, name: str) -> None:
    await s.execute(
        update(ContentItem)
        .where(ContentItem.corp_id == corp_id, ContentItem.folder_id == folder_id)
        .values(folder=name)
    )


async def empty_folder(s: AsyncSession, corp_id: int, folder: ContentFolder) -> tuple[int, int]:
    """Items to the root, child folders to the folder's parent; (items, folders) moved."""
    moved = await s.execute(
        update(ContentItem)
        .where(ContentItem.corp_id == corp_id, ContentItem.folder_id == folder.id)
        .values(folder_id=None, folder="")
    )
    children = await s.execute(
        update(ContentFolder)
        .where(ContentFolder.corp_id == corp_id, ContentFolder.parent_id == folder.id)
        .values(parent_id=folder.parent_id)
    )
    return int(moved.rowcount or 0), int(children.rowcount or 0)  # type: ignore[attr-defined]


async def move_items(
    s: AsyncSession, corp_id: int, item_ids: list[int], folder: ContentFolder | None
) -> int:
    result = await s.execute(
        update(ContentItem)
        .where(ContentItem.corp_id == corp_id, ContentItem.id.in_(item_ids))
        .values(folder_id=folder.id if folder else None, folder=folder.name if folder else "")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- opens


async def opens(
    s: AsyncSession,
    corp_id: int,
    *,
    item_id: int | None = None,
    broadcast_id: int | None = None,
    limit: int,
) -> list[tuple[RadarOpen, str | None]]:
    """Newest opens with the customer's name."""
    stmt = (
        select(RadarOpen, Customer.name)
        .outerjoin(
            Customer,
            (Customer.id == RadarOpen.customer_id) & (Customer.corp_id == RadarOpen.corp_id),
        )
        .where(RadarOpen.corp_id == corp_id)
    )
    if item_id is not None:
        stmt = stmt.where(RadarOpen.item_id == item_id)
    if broadcast_id is not None:
        stmt = stmt.where(RadarOpen.broadcast_id == broadcast_id)
    stmt = stmt.order_by(RadarOpen.id.desc()).limit(limit)
    return [(o, n) for o, n in (await s.execute(stmt)).all()]


async def open_totals(
    s: AsyncSession, corp_id: int, *, item_id: int | None = None, broadcast_id: int | None = None
) -> dict[str, int]:
    o = RadarOpen
    stmt = select(
        func.count(),
        func.count(o.customer_id),
        func.count(distinct(o.customer_id)),
        func.coalesce(func.sum(o.read_seconds), 0),
        func.count().filter(o.read_seconds > 0),
    ).where(o.corp_id == corp_id)
    if item_id is not None:
        stmt = stmt.where(o.item_id == item_id)
    if broadcast_id is not None:
        stmt = stmt.where(o.broadcast_id == broadcast_id)
    total, identified, unique, read, with_read = (await s.execute(stmt)).one()
    return {
        "opens": int(total),
        "identified_opens": int(identified),
        "unique_openers": int(unique),
        "read_seconds_total": int(read),
        "opens_with_read": int(with_read),
    }


async def link_revoked(s: AsyncSession, corp_id: int, link: str) -> bool:
    stmt = select(
        exists().where(RadarRevokedLink.corp_id == corp_id, RadarRevokedLink.link == link)
    )
    return bool(await s.scalar(stmt))


async def revoked_links(s: AsyncSession, corp_id: int, links: Sequence[str]) -> set[str]:
    if not links:
        return set()
    stmt = select(RadarRevokedLink.link).where(
        RadarRevokedLink.corp_id == corp_id, RadarRevokedLink.link.in_(set(links))
    )
    return set((await s.scalars(stmt)).all())
