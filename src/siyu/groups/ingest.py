"""Mirror customer group chats and their members; report who joined and who left."""

from __future__ import annotations

from collections.abc import Collection, Sequence
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


async def _upsert_group(
    session: AsyncSession, corp_id: int, chat: Any, *, status: int
) -> GroupChat:
    """The chat's row, locked for this transaction (PostgreSQL: ``FOR UPDATE``; SQLite has one
    writer), so two handlers of the same chat never interleave their member changes."""
    chat_id = _a(chat, "chat_id")
    group = await session.scalar(
        select(GroupChat)
        .where(GroupChat.corp_id == corp_id, GroupChat.chat_id == chat_id)
        .with_for_update()
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
    return group


async def _stored_members(session: AsyncSession, group: GroupChat) -> dict[str, GroupMember]:
    rows = await session.scalars(select(GroupMember).where(GroupMember.group_pk == group.id))
    return {m.member_id: m for m in rows.all()}


def _mirror(
    corp_id: int,
    group: GroupChat,
    chat: Any,
    members: dict[str, GroupMember],
    session: AsyncSession,
    *,
    now: datetime,
    changes: MemberChanges | None,
    joined_by: int | None = None,
    not_joined: Collection[str] = (),
) -> None:
    """Make the stored member list WeCom's current one; report the differences into
    ``changes`` when given (otherwise the repair is silent). With ``joined_by`` (a unix
    time), only members who joined by then are reported as joined; ``not_joined`` are never
    reported as joined (an event of their own does)."""
    present = set()
    for m in _a(chat, "member_list", []) or []:
        mid = _a(m, "userid")
        present.add(mid)
        row = members.get(mid)
        if row is None:
            row = members[mid] = GroupMember(corp_id=corp_id, group_pk=group.id, member_id=mid)
            session.add(row)
            came = True
        else:
            came = row.left_at is not None
        early = joined_by is None or int(_a(m, "join_time", 0) or 0) <= joined_by
        if came and early and mid not in not_joined and changes is not None:
            changes.joined.append(row)
        for key, value in _member_values(m).items():
            setattr(row, key, value)
    for mid, row in members.items():
        if mid not in present and row.left_at is None:
            row.left_at = now
            if changes is not None and joined_by is None:
                changes.left.append(row)
    group.member_count = len(present)


async def apply_group_chat(
    session: AsyncSession,
    corp_id: int,
    chat: Any,
    *,
    now: datetime,
    status: int = 0,
    report: str = "diff",
    not_joined: Collection[str] = (),
) -> MemberChanges:
    """Upsert one group chat (``groupchat/get``) and its member list.

    ``report`` says who is reported as joined/left: ``diff`` the difference with the stored
    list; ``initial`` members who were in the chat when it was created (the ``create`` event:
    later joiners have their own ``add_member`` event, and so have ``not_joined``); ``none``
    nobody (a silent repair)."""
    group = await _upsert_group(session, corp_id, chat, status=status)
    members = await _stored_members(session, group)
    changes = MemberChanges(group=group)
    created = int(_a(chat, "create_time", 0) or 0)
    _mirror(
        corp_id,
        group,
        chat,
        members,
        session,
        now=now,
        changes=None if report == "none" else changes,
        joined_by=created if report == "initial" and created else None,
        not_joined=not_joined,
    )
    await session.flush()
    return changes


def _guess_type(member_id: str) -> int:
    """1 employee, 2 external contact (WeCom's external userids start with ``wm``/``wo``)."""
    return 2 if member_id[:2] in ("wm", "wo") else 1


async def apply_member_change(
    session: AsyncSession,
    corp_id: int,
    chat: Any,
    *,
    joined: Sequence[str],
    left: Sequence[str],
    join_scene: int,
    now: datetime,
    status: int = 0,
) -> MemberChanges:
    """One ``add_member``/``del_member`` event: the members of its ``MemChangeList`` joined or
    left, reported once for this event whatever the stored rows say (WeCom's ``chat`` may be
    read after later changes: a member may already have left again). Then the stored list is
    repaired to ``chat`` silently, so it ends equal to WeCom's.

    ``join_scene`` is the event's JoinScene mapped to groupchat/get's (3 QR, 1 invited), used
    for members no longer in ``chat``.
    """
    group = await _upsert_group(session, corp_id, chat, status=status)
    members = await _stored_members(session, group)
    changes = MemberChanges(group=group)
    for mids, out in ((joined, changes.joined), (left, changes.left)):
        for mid in dict.fromkeys(m for m in mids if m):
            row = members.get(mid)
            if row is None:
                row = members[mid] = GroupMember(
                    corp_id=corp_id,
                    group_pk=group.id,
                    member_id=mid,
                    type=_guess_type(mid),
                    join_time=None if out is changes.left else now,
                    join_scene=0 if out is changes.left else join_scene,
                    left_at=now if out is changes.left else None,
                )
                session.add(row)
            elif out is changes.joined and row.left_at is not None:
                row.left_at, row.join_time, row.join_scene = None, now, join_scene
                row.state = ""  # not the state of an earlier stay; WeCom's list tells it
            out.append(row)
    _mirror(corp_id, group, chat, members, session, now=now, changes=None)
    await session.flush()
    return changes


async def dismiss(
    session: AsyncSession, corp_id: int, chat_id: str, *, now: datetime
) -> MemberChanges | None:
    """Mark a group dismissed; every member still in it has left."""
    group = await session.scalar(
        select(GroupChat)
        .where(GroupChat.corp_id == corp_id, GroupChat.chat_id == chat_id)
        .with_for_update()
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
