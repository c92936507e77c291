"""The sync's group chats step writes chats and members in bulk; a re-sync records who left
and who joined while Siyu was not told, the same way the per-chat (callback) path does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from siyu.corps import service as corps
from siyu.db.base import utcnow
from siyu.db.session import Database
from siyu.groups import ingest
from siyu.groups.models import GroupChat, GroupMember
from siyu.sync import service
from tests.conftest import CorpHandle, Sandbox

SECRET = "test-secret-key"


async def _sync(db: Database, corp: CorpHandle) -> Any:
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        run = await service.start_or_resume(s, c, trigger="test")
    async with corps.wecom_client(c, secret_key=SECRET) as client:
        return await service.run_full_sync(db, corp.id, run.id, client)


async def _members(db: Database) -> dict[tuple[str, str], tuple[Any, ...]]:
    async with db.unit_of_work() as s:
        rows = await s.execute(
            select(GroupChat.chat_id, GroupMember).join(
                GroupMember, GroupMember.group_pk == GroupChat.id
            )
        )
        return {
            (chat_id, m.member_id): (
                m.type,
                m.name,
                m.group_nickname,
                m.join_time,
                m.join_scene,
                m.invitor,
                m.state,
                m.left_at is None,
            )
            for chat_id, m in rows.all()
        }


async def test_resync_records_members_who_left_and_joined(
    db: Database, sb: Sandbox, corp: CorpHandle
) -> None:
    assert (await _sync(db, corp)).status == "done"
    chats = sb.get("/sandbox/info")["counts"]["group_chats"]
    async with db.unit_of_work() as s:
        groups = (await s.scalars(select(GroupChat).order_by(GroupChat.id))).all()
    assert len(groups) == chats
    first = await _members(db)
    assert sum(g.member_count for g in groups) == len(first)
    chat_id = groups[0].chat_id
    leaver = next(m for (c, m), v in first.items() if c == chat_id and v[0] == 2)
    joiner = next(
        m for (c, m), v in first.items() if c != chat_id and v[0] == 2 and (chat_id, m) not in first
    )
    sb.put("/sandbox/config", {"callback_url": "http://127.0.0.1:9/unreachable"})
    sb.act("group", action="leave", chat_id=chat_id, members=[leaver])
    sb.act("group", action="join", chat_id=chat_id, members=[joiner], state="ch9")
    assert (await _sync(db, corp)).status == "done"
    after = await _members(db)
    assert after[(chat_id, leaver)][-1] is False  # kept as history, marked left
    assert after[(chat_id, joiner)][-1] is True and after[(chat_id, joiner)][6] == "ch9"
    assert set(after) == set(first) | {(chat_id, joiner)}
    async with db.unit_of_work() as s:
        group = await s.scalar(select(GroupChat).where(GroupChat.chat_id == chat_id))
    assert group is not None and group.member_count == groups[0].member_count
    # The per-chat path of callbacks, given the same chats, finds nothing left to change.
    async with db.unit_of_work() as s:
        c = await corps.get(s, corp.id)
        async with corps.wecom_client(c, secret_key=SECRET) as client:
            for g in groups:
                chat = await client.get_group_chat(g.chat_id)
                changes = await ingest.apply_group_chat(s, corp.id, chat, now=utcnow(), status=0)
                assert changes.joined == [] and changes.left == [], g.chat_id
    assert await _members(db) == after
    # And the member comes back: the same row, no longer marked as left.
    sb.act("group", action="join", chat_id=chat_id, members=[leaver])
    assert (await _sync(db, corp)).status == "done"
    back = await _members(db)
    assert back[(chat_id, leaver)][-1] is True and len(back) == len(after)
