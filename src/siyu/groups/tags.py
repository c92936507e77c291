"""Group tags (群标签): the corp's list, and the tags on one group chat. Siyu-only (WeCom's
server API has no tags on group chats)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.db.repository import scoped
from siyu.groups.models import GroupChat
from siyu.groups.tag_models import GroupChatTag, GroupTag
from siyu.groups.tag_schemas import GroupTagOut, GroupTagRef

NAME_MAX = 15
MAX_TAGS = 200


async def list_tags(session: AsyncSession, corp_id: int) -> list[GroupTagOut]:
    counts = dict(
        (
            await session.execute(
                select(GroupChatTag.tag_id, func.count())
                .where(GroupChatTag.corp_id == corp_id)
                .group_by(GroupChatTag.tag_id)
            )
        ).all()
    )
    rows = await session.scalars(scoped(GroupTag, corp_id).order_by(GroupTag.position, GroupTag.id))
    return [
        GroupTagOut.model_validate(t).model_copy(update={"groups": counts.get(t.id, 0)})
        for t in rows
    ]


def _name(value: str) -> str:
    name = value.strip()
    if not name:
        raise InvalidInput("群标签名称不能为空")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"群标签名称最多 {NAME_MAX} 个字")
    return name


async def _taken(session: AsyncSession, corp_id: int, name: str, but: int | None = None) -> None:
    stmt = scoped(GroupTag, corp_id, GroupTag.id).where(GroupTag.name == name)
    if but is not None:
        stmt = stmt.where(GroupTag.id != but)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"已有名为「{name}」的群标签")


async def get_tag(session: AsyncSession, corp_id: int, tag_id: int) -> GroupTag:
    row = await session.scalar(scoped(GroupTag, corp_id).where(GroupTag.id == tag_id))
    if row is None:
        raise NotFound(f"群标签 {tag_id} 不存在")
    return row


async def create_tag(session: AsyncSession, corp_id: int, name: str) -> GroupTag:
    clean = _name(name)
    n = await session.scalar(select(func.count()).where(GroupTag.corp_id == corp_id))
    if (n or 0) >= MAX_TAGS:
        raise InvalidInput(f"最多 {MAX_TAGS} 个群标签")
    await _taken(session, corp_id, clean)
    last = await session.scalar(
        select(func.max(GroupTag.position)).where(GroupTag.corp_id == corp_id)
    )
    row = GroupTag(corp_id=corp_id, name=clean, position=(last or 0) + 1)
    session.add(row)
    await session.flush()
    return row


async def rename_tag(session: AsyncSession, corp_id: int, tag_id: int, name: str) -> GroupTag:
    row = await get_tag(session, corp_id, tag_id)
    clean = _name(name)
    await _taken(session, corp_id, clean, but=row.id)
    row.name = clean
    await session.flush()
    return row


async def delete_tag(session: AsyncSession, corp_id: int, tag_id: int) -> None:
    row = await get_tag(session, corp_id, tag_id)
    await session.delete(row)
    await session.flush()


async def group_for(
    session: AsyncSession, corp_id: int, chat_id: str, visible: frozenset[str] | None
) -> GroupChat:
    group = await session.scalar(scoped(GroupChat, corp_id).where(GroupChat.chat_id == chat_id))
    if group is None or (visible is not None and group.owner not in visible):
        raise NotFound(f"客户群 {chat_id} 不存在")
    return group


async def tags_of(session: AsyncSession, corp_id: int, group_pk: int) -> list[GroupTagRef]:
    rows = await session.execute(
        select(GroupTag.id, GroupTag.name)
        .join(GroupChatTag, GroupChatTag.tag_id == GroupTag.id)
        .where(GroupChatTag.corp_id == corp_id, GroupChatTag.group_pk == group_pk)
        .order_by(GroupTag.position, GroupTag.id)
    )
    return [GroupTagRef(id=i, name=n) for i, n in rows.all()]


async def set_group_tags(
    session: AsyncSession,
    corp_id: int,
    chat_id: str,
    tag_ids: Sequence[int],
    *,
    visible: frozenset[str] | None = None,
) -> list[GroupTagRef]:
    """Replace a group chat's tags (any role that sees the group: its owner tags it from the
    group sidebar)."""
    group = await group_for(session, corp_id, chat_id, visible)
    wanted = list(dict.fromkeys(tag_ids))
    known = set(
        (
            await session.scalars(
                scoped(GroupTag, corp_id, GroupTag.id).where(GroupTag.id.in_(wanted))
            )
        ).all()
    )
    missing = [t for t in wanted if t not in known]
    if missing:
        raise InvalidInput(f"群标签 {missing[0]} 不存在")
    await session.execute(delete(GroupChatTag).where(GroupChatTag.group_pk == group.id))
    if wanted:
        await session.execute(
            insert(GroupChatTag),
            [{"group_pk": group.id, "tag_id": t, "corp_id": corp_id} for t in wanted],
        )
    return await tags_of(session, corp_id, group.id)
