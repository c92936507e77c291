"""Mirror customer group chats and their members; report who joined and who left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.groups.models import GroupChat, GroupMember

_GROUPS = cast(Table, GroupChat.__table__)
_MEMBERS = cast(Table, GroupMember.__table__)


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


def _member_values(m: Any) -> dict[str, Any]:
    """A member's columns as :func:`apply_group_chat` sets them."""
    joined = int(_a(m, "join_time", 0) or 0)
    invitor = _a(m, "invitor", None)
    return {
        "type": int(_a(m, "type", 2) or 2),
        "name": _a(m, "name", "") or "",
        "group_nickname": _a(m, "group_nickname", "") or "",
        "join_time": datetime.fromtimestamp(joined, UTC) if joined else None,
        "join_scene": int(_a(m, "join_scene", 0) or 0),
        "invitor": (
            (_a(invitor, "userid", "") if invitor else "") or _a(m, "invitor_userid", "") or ""
        ),
        "state": _a(m, "state", "") or "",
        "left_at": None,
    }


async def apply_group_chats(
    session: AsyncSession, corp_id: int, chats: Sequence[tuple[Any, int]], *, now: datetime
) -> int:
    """Upsert many group chats (``groupchat/get``, with their list status) and their members,
    with a few bulk statements: the rows :func:`apply_group_chat` writes, without reporting
    who joined or left (the full sync's use). Returns the number of chats."""
    if not chats:
        return 0
    wanted: dict[str, tuple[Any, int]] = {_a(c, "chat_id"): (c, st) for c, st in chats}
    found = await session.execute(
        select(GroupChat.id, GroupChat.chat_id).where(
            GroupChat.corp_id == corp_id, GroupChat.chat_id.in_(list(wanted))
        )
    )
    pks: dict[str, int] = {chat_id: pk for pk, chat_id in found}
    group_rows: dict[str, dict[str, Any]] = {}
    for chat_id, (chat, status) in wanted.items():
        created = int(_a(chat, "create_time", 0) or 0)
        group_rows[chat_id] = {
            "name": _a(chat, "name", "") or "",
            "owner": _a(chat, "owner", "") or "",
            "notice": (_a(chat, "notice", "") or "")[:1000],
            "status": status,
            "created_at_wecom": datetime.fromtimestamp(created, UTC) if created else None,
            "dismissed_at": None,
            "member_count": len({_a(m, "userid") for m in _a(chat, "member_list", []) or []}),
        }
    existing = [{"id": pks[k], **v, "updated_at": now} for k, v in group_rows.items() if k in pks]
    if existing:
        await session.execute(update(GroupChat), existing)
    new = [{"corp_id": corp_id, "chat_id": k, **v} for k, v in group_rows.items() if k not in pks]
    if new:
        inserted = await session.execute(
            _GROUPS.insert().returning(_GROUPS.c.id, _GROUPS.c.chat_id), new
        )
        pks.update({chat_id: pk for pk, chat_id in inserted})
    members: dict[tuple[int, str], tuple[int, datetime | None]] = {}
    if existing:
        rows = await session.execute(
            select(GroupMember.id, GroupMember.group_pk, GroupMember.member_id, GroupMember.left_at)
            .where(GroupMember.corp_id == corp_id)
            .where(GroupMember.group_pk.in_([row["id"] for row in existing]))
        )
        members = {(g, mid): (pk, left) for pk, g, mid, left in rows}
    updates, inserts, present = [], [], set()
    for chat_id, (chat, _) in wanted.items():
        group_pk = pks[chat_id]
        for m in _a(chat, "member_list", []) or []:
            key = (group_pk, _a(m, "userid"))
            if key in present:
                continue
            present.add(key)
            have = members.get(key)
            if have is None:
                inserts.append(
                    {
                        "corp_id": corp_id,
                        "group_pk": group_pk,
                        "member_id": key[1],
                        **_member_values(m),
                    }
                )
            else:
                updates.append({"id": have[0], **_member_values(m)})
    left = [
        {"id": pk, "left_at": now}
        for key, (pk, left_at) in members.items()
        if key not in present and left_at is None
    ]
    if updates:
        await session.execute(update(GroupMember), updates)
    if left:
        await session.execute(update(GroupMember), left)
    if inserts:
        await session.execute(_MEMBERS.insert(), inserts)
    return len(wanted)
