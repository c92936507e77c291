"""Mirror WeCom's corp tag list into tag groups and tags (deleted ones kept as history)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers.models import Tag, TagGroup
from siyu.db.repository import scoped


def _a(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


async def apply_tag_groups(
    session: AsyncSession, corp_id: int, groups: Sequence[Any], *, now: datetime, complete: bool
) -> dict[str, int]:
    """Upsert groups and tags from ``get_corp_tag_list``; with ``complete``, mark the rest deleted.

    Returns counts: groups, tags, deleted.
    """
    have_groups = {g.group_id: g for g in (await session.scalars(scoped(TagGroup, corp_id))).all()}
    have_tags = {t.tag_id: t for t in (await session.scalars(scoped(Tag, corp_id))).all()}
    seen_groups: set[str] = set()
    seen_tags: set[str] = set()
    for g in groups:
        gid = _a(g, "group_id")
        seen_groups.add(gid)
        group = have_groups.get(gid)
        if group is None:
            group = TagGroup(corp_id=corp_id, group_id=gid, name="", order=0)
            session.add(group)
            have_groups[gid] = group
        group.name = _a(g, "group_name", "")
        group.order = int(_a(g, "order", 0) or 0)
        group.deleted_at = None
        await session.flush()
        for t in _a(g, "tag", []) or []:
            tid = _a(t, "id")
            seen_tags.add(tid)
            tag = have_tags.get(tid)
            if tag is None:
                tag = Tag(corp_id=corp_id, tag_id=tid, group_pk=group.id, name="", order=0)
                session.add(tag)
                have_tags[tid] = tag
            tag.group_pk = group.id
            tag.name = _a(t, "name", "")
            tag.order = int(_a(t, "order", 0) or 0)
            tag.deleted_at = None
    deleted = 0
    if complete:
        for gid, group in have_groups.items():
            if gid not in seen_groups and group.deleted_at is None:
                group.deleted_at = now
        for tid, tag in have_tags.items():
            if tid not in seen_tags and tag.deleted_at is None:
                tag.deleted_at = now
                deleted += 1
    await session.flush()
    return {"groups": len(seen_groups), "tags": len(seen_tags), "deleted": deleted}


async def mark_deleted(
    session: AsyncSession,
    corp_id: int,
    *,
    tag_ids: Sequence[str],
    group_ids: Sequence[str],
    now: datetime,
) -> None:
    """Mark tags (and whole groups with their tags) deleted after a write-through delete."""
    if tag_ids:
        await session.execute(
            update(Tag)
            .where(Tag.corp_id == corp_id, Tag.tag_id.in_(tag_ids))
            .values(deleted_at=now)
        )
    if group_ids:
        pks = select(TagGroup.id).where(
            TagGroup.corp_id == corp_id, TagGroup.group_id.in_(group_ids)
        )
        await session.execute(update(Tag).where(Tag.group_pk.in_(pks)).values(deleted_at=now))
        await session.execute(
            update(TagGroup)
            .where(TagGroup.corp_id == corp_id, TagGroup.group_id.in_(group_ids))
            .values(deleted_at=now)
        )
