"""Mirror customer group chats and their members; report who joined and who left."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.groups.models import GroupChat, GroupMember


def _a(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


@dataclass
class MemberChanges:
    group: GroupChat
    joined: list[GroupMember] = field(default_factory=list)
    left: list[GroupMember] = field(default_factory=list)


async def apply_group_chat(
    session: AsyncSession, corp_id: int, chat: Any, *, now: datetime, status: int = 0
) -> MemberChanges:
    """Upsert one group chat (``groupchat/get``) and its member list."""
    chat_id = _a(chat, "chat_id")
    group = await session.scalar(
        select(GroupChat).where(GroupChat.corp_id == corp_id, GroupChat.chat_id == chat_id)
    )
    created = int(_a(chat, "create_time", 0) or 0)
    if group is None:
        group = GroupChat(corp_id=corp_id, chat_id=chat_id)
        session.add(group)
    group.name = _a(chat, "name", "") or ""
    group.owner = _a(chat, "owner", "") or ""
    group.notice = (_a(chat, "notice", "") or "")[:1000]
    group.status = status
    group.created_at_wecom = datetime.fromtimestamp(created, UTC) if created else None
    group.dismissed_at = None
    await session.flush()
    members = {
        m.member_id: m
        for m in (
            await session.scalars(select(GroupMember).where(GroupMember.group_pk == group.id))
        ).all()
    }
    changes = MemberChanges(group=group)
    present = set()
    for m in _a(chat, "member_list", []) or []:
        mid = _a(m, "userid")
        present.add(mid)
        row = members.get(mid)
        joined = int(_a(m, "join_time", 0) or 0)
        if row is None or row.left_at is not None:
            if row is None:
                row = GroupMember(corp_id=corp_id, group_pk=group.id, member_id=mid)
                session.add(row)
            row.left_at = None
            changes.joined.append(row)
        invitor = _a(m, "invitor", None)
        row.type = int(_a(m, "type", 2) or 2)
        row.name = _a(m, "name", "") or ""
        row.group_nickname = _a(m, "group_nickname", "") or ""
        row.join_time = datetime.fromtimestamp(joined, UTC) if joined else None
        row.join_scene = int(_a(m, "join_scene", 0) or 0)
        row.invitor = (
            (_a(invitor, "userid", "") if invitor else "") or _a(m, "invitor_userid", "") or ""
        )
        row.state = _a(m, "state", "") or ""
    for mid, row in members.items():
        if mid not in present and row.left_at is None:
            row.left_at = now
            changes.left.append(row)
    group.member_count = len(present)
    await session.flush()
    return changes


async def dismiss(
    session: AsyncSession, corp_id: int, chat_id: str, *, now: datetime
) -> MemberChanges | None:
    """Mark a group dismissed; every member still in it has left."""
    group = await session.scalar(
        select(GroupChat).where(GroupChat.corp_id == corp_id, GroupChat.chat_id == chat_id)
    )
    if group is None:
        return None
    group.dismissed_at = now
    changes = MemberChanges(group=group)
    members = await session.scalars(
        select(GroupMember).where(GroupMember.group_pk == group.id, GroupMember.left_at.is_(None))
    )
    for m in members.all():
        m.left_at = now
        changes.left.append(m)
    group.member_count = 0
    await session.flush()
    return changes
