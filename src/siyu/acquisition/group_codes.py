"""Group codes (群活码): WeCom join ways over ≤5 group chats; joins attributed by ``state``.

WeCom itself opens a new group (``room_base_name`` + counter) when every group of the way is
full and ``auto_create_room`` is on; Siyu learns of it when a member joins that group with the
code's state, and adds it to the code's list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition.channels import check_state, new_state
from siyu.acquisition.models import GroupCode, GroupCodeEvent
from siyu.acquisition.schemas import GroupCodeIn, GroupCodeStats, GroupStatRow, GroupTrendPoint
from siyu.core import sorting
from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.core.pagination import Page
from siyu.db.base import utcnow
from siyu.db.repository import scoped
from siyu.groups.models import GroupChat
from siyu.wecom import acquisition_api as api
from siyu.wecom.client import WeComClient

CHATS_MAX = 5  # WeCom: chat_id_list ≤5
GROUP_CAPACITY = 200  # WeCom: a customer group chat holds at most 200 members


async def _check(session: AsyncSession, corp_id: int, body: GroupCodeIn) -> None:
    if len(body.chat_ids) > CHATS_MAX:
        raise InvalidInput(f"a group code takes at most {CHATS_MAX} group chats (WeCom's limit)")
    known = set(
        (
            await session.scalars(
                scoped(GroupChat, corp_id, GroupChat.chat_id).where(
                    GroupChat.chat_id.in_(body.chat_ids), GroupChat.dismissed_at.is_(None)
                )
            )
        ).all()
    )
    unknown = [c for c in body.chat_ids if c not in known]
    if unknown:
        raise InvalidInput(f"unknown group chat: {', '.join(unknown)}")
    if body.auto_create_room and not body.room_base_name:
        raise InvalidInput("auto-created groups need a room_base_name")


def _way_fields(code: GroupCode) -> dict[str, Any]:
    return {
        "scene": 2,
        "remark": code.name[:30],
        "auto_create_room": int(code.auto_create_room),
        "room_base_name": code.room_base_name,
        "room_base_id": code.room_base_id,
        "chat_id_list": list(code.chat_ids),
        "state": code.state,
    }


async def create(
    session: AsyncSession, corp_id: int, client: WeComClient, body: GroupCodeIn
) -> GroupCode:
    await _check(session, corp_id, body)
    state = check_state(body.state) if body.state else new_state("sg")
    taken = await session.scalar(
        scoped(GroupCode, corp_id, GroupCode.id).where(GroupCode.state == state)
    )
    if taken is not None:
        raise Conflict(f"state {state} is already used by another group code")
    code = GroupCode(corp_id=corp_id, state=state, **body.model_dump(exclude={"state"}))
    code.config_id = await api.add_join_way(client, **_way_fields(code))
    way = await api.get_join_way(client, code.config_id)
    code.qr_code = str(way.get("qr_code") or "")
    session.add(code)
    await session.flush()
    return code


async def get(session: AsyncSession, corp_id: int, code_id: int) -> GroupCode:
    code = await session.scalar(
        scoped(GroupCode, corp_id).where(GroupCode.id == code_id, GroupCode.deleted_at.is_(None))
    )
    if code is None:
        raise NotFound(f"group code {code_id} does not exist")
    return code


async def update(
    session: AsyncSession, corp_id: int, client: WeComClient, code_id: int, body: GroupCodeIn
) -> GroupCode:
    """Replace the whole config (WeCom's update_join_way overwrites every field)."""
    code = await get(session, corp_id, code_id)
    await _check(session, corp_id, body)
    if body.state and body.state != code.state:
        raise InvalidInput("a group code's state cannot change (past joins are attributed by it)")
    for key, value in body.model_dump(exclude={"state"}).items():
        setattr(code, key, value)
    await api.update_join_way(client, code.config_id, **_way_fields(code))
    return code


async def delete(session: AsyncSession, corp_id: int, client: WeComClient, code_id: int) -> None:
    code = await get(session, corp_id, code_id)
    await api.del_join_way(client, code.config_id)
    code.deleted_at = utcnow()


SORTS = {"id": GroupCode.id, "name": GroupCode.name, "created_at": GroupCode.created_at}


def _filtered(corp_id: int, *, keyword: str | None, chat_id: str | None) -> Any:
    stmt = scoped(GroupCode, corp_id).where(GroupCode.deleted_at.is_(None))
    if keyword:
        like = f"%{keyword}%"
        stmt = stmt.where(or_(GroupCode.name.like(like), GroupCode.state.like(like)))
    if chat_id:
        # JSON lists: match the quoted chat id inside the serialized list (both dialects).
        stmt = stmt.where(cast(GroupCode.chat_ids, Text).like(f'%"{chat_id}"%'))
    return stmt


async def list_page(
    session: AsyncSession,
    corp_id: int,
    *,
    keyword: str | None = None,
    chat_id: str | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[GroupCode]:
    """One page of live group codes, filtered, in the requested order across pages."""
    order = sorting.parse(sort, SORTS, "id")
    stmt = sorting.apply(
        _filtered(corp_id, keyword=keyword, chat_id=chat_id), order, GroupCode.id, cursor
    )
    rows = list((await session.scalars(stmt.limit(limit + 1))).all())
    return sorting.page(rows, order, limit)


async def join_counts(
    session: AsyncSession, corp_id: int, code_ids: Sequence[int]
) -> dict[int, int]:
    """All-time joins per code (for the list)."""
    if not code_ids:
        return {}
    rows = await session.execute(
        scoped(GroupCodeEvent, corp_id, GroupCodeEvent.code_id, func.count())
        .where(GroupCodeEvent.code_id.in_(list(code_ids)), GroupCodeEvent.kind == "join")
        .group_by(GroupCodeEvent.code_id)
    )
    return {int(cid): int(n) for cid, n in rows.all()}


async def on_group_changed(
    session: AsyncSession,
    corp_id: int,
    *,
    chat_id: str,
    joined: Sequence[dict[str, Any]],
    left: Sequence[dict[str, Any]],
    now: datetime,
) -> int:
    """Record joins/leaves of members who came through a group code; returns rows written.

    A member's ``state`` names the code. When WeCom no longer lists the member (it left again
    before Siyu read the chat), the state is unknown: a QR join (join_scene 3) goes to the
    chat's only live group code, and a leave to the code of the member's last recorded join
    of this chat.
    """
    states = {m.get("state") for m in [*joined, *left] if m.get("state")}
    codes = {
        c.state: c
        for c in (
            await session.scalars(scoped(GroupCode, corp_id).where(GroupCode.state.in_(states)))
        ).all()
    }
    n = 0
    for kind, members in (("join", joined), ("leave", left)):
        for m in members:
            member_id = str(m.get("member_id") or "")
            code = codes.get(m.get("state") or "")
            if code is None and kind == "join" and m.get("join_scene") == 3:
                code = await _only_code_of(session, corp_id, chat_id)
            elif code is None and kind == "leave":
                code = await _code_of_last_join(session, corp_id, chat_id, member_id)
            if code is None:
                continue
            if kind == "join" and chat_id not in code.chat_ids:
                code.chat_ids = [*code.chat_ids, chat_id]  # a group WeCom opened for the code
            session.add(
                GroupCodeEvent(
                    corp_id=corp_id,
                    code_id=code.id,
                    chat_id=chat_id,
                    member_id=member_id,
                    kind=kind,
                    at=now,
                )
            )
            n += 1
    return n


async def _only_code_of(session: AsyncSession, corp_id: int, chat_id: str) -> GroupCode | None:
    found = (
        await session.scalars(
            scoped(GroupCode, corp_id)
            .where(GroupCode.deleted_at.is_(None))
            .where(cast(GroupCode.chat_ids, Text).like(f'%"{chat_id}"%'))
            .limit(2)
        )
    ).all()
    return found[0] if len(found) == 1 else None


async def _code_of_last_join(
    session: AsyncSession, corp_id: int, chat_id: str, member_id: str
) -> GroupCode | None:
    code_id = await session.scalar(
        scoped(GroupCodeEvent, corp_id, GroupCodeEvent.code_id)
        .where(GroupCodeEvent.chat_id == chat_id, GroupCodeEvent.member_id == member_id)
        .where(GroupCodeEvent.kind == "join")
        .order_by(GroupCodeEvent.id.desc())
        .limit(1)
    )
    return None if code_id is None else await session.get(GroupCode, code_id)


async def code_stats(
    session: AsyncSession,
    corp_id: int,
    code_id: int,
    *,
    start: date | None = None,
    end: date | None = None,
    tz: ZoneInfo | None = None,
) -> GroupCodeStats:
    """All-time joins and leaves per group chat, and (given a range) joins/leaves per local day."""
    code = await get(session, corp_id, code_id)
    rows = (
        await session.execute(
            scoped(
                GroupCodeEvent, corp_id, GroupCodeEvent.chat_id, GroupCodeEvent.kind, func.count()
            )
            .where(GroupCodeEvent.code_id == code.id)
            .group_by(GroupCodeEvent.chat_id, GroupCodeEvent.kind)
        )
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for chat_id, kind, n in rows:
        counts.setdefault(chat_id, {})[kind] = int(n)
    chat_ids = list(dict.fromkeys([*code.chat_ids, *counts]))
    chats = {
        g.chat_id: g
        for g in (
            await session.scalars(
                select(GroupChat).where(
                    GroupChat.corp_id == corp_id, GroupChat.chat_id.in_(chat_ids)
                )
            )
        ).all()
    }
    groups = [
        GroupStatRow(
            chat_id=cid,
            name=chats[cid].name if cid in chats else "",
            members=chats[cid].member_count if cid in chats else 0,
            capacity=GROUP_CAPACITY,
            joins=counts.get(cid, {}).get("join", 0),
            leaves=counts.get(cid, {}).get("leave", 0),
        )
        for cid in chat_ids
    ]
    joins = sum(g.joins for g in groups)
    leaves = sum(g.leaves for g in groups)
    trend: list[GroupTrendPoint] = []
    if start is not None and end is not None:
        trend = await _trend(session, corp_id, code.id, start, end, tz or ZoneInfo("UTC"))
    return GroupCodeStats(
        code_id=code.id,
        joins=joins,
        leaves=leaves,
        net=joins - leaves,
        groups=groups,
        start=start,
        end=end,
        trend=trend,
    )


async def _trend(
    session: AsyncSession, corp_id: int, code_id: int, start: date, end: date, tz: ZoneInfo
) -> list[GroupTrendPoint]:
    """Joins and leaves per local day of the corp, every day of the range present."""
    lo = datetime.combine(start, time.min, tz).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, tz).astimezone(UTC)
    days = {
        start + timedelta(days=i): GroupTrendPoint(day=start + timedelta(days=i))
        for i in range((end - start).days + 1)
    }
    rows = await session.execute(
        scoped(GroupCodeEvent, corp_id, GroupCodeEvent.kind, GroupCodeEvent.at).where(
            GroupCodeEvent.code_id == code_id, GroupCodeEvent.at >= lo, GroupCodeEvent.at < hi
        )
    )
    for kind, at in rows.all():
        point = days.get(at.astimezone(tz).date())
        if point is None:
            continue
        if kind == "join":
            point.joins += 1
        else:
            point.leaves += 1
    return list(days.values())
