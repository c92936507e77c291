"""``change_external_chat``: a customer group chat was created, changed or dismissed.

Joins and leaves come from the event itself (an ``add_member``/``del_member`` update names its
members in MemChangeList), each reported once per event; the chat read from WeCom (maybe after
later changes) only repairs the stored member list. ``create`` reports the chat's first
members; other updates (name, owner, notice) repair silently.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.customers import timeline as tl
from siyu.customers.models import Customer
from siyu.db.repository import scoped
from siyu.events.models import InboundEvent
from siyu.groups import ingest as groups
from siyu.messaging import bus
from siyu.wecom.callbacks import CallbackEvent
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError

if TYPE_CHECKING:
    from siyu.events.service import Prefetched

log = logging.getLogger(__name__)


async def handle(
    session: AsyncSession,
    corp_id: int,
    ev: CallbackEvent,
    client: WeComClient,
    now: datetime,
    cache: Prefetched,
) -> None:
    chat_id = ev.get("ChatId")
    if not chat_id:
        return
    changes: groups.MemberChanges | None
    if ev.change_type == "dismiss":
        changes = await groups.dismiss(session, corp_id, chat_id, now=now)
        if changes is None:
            return
    else:
        try:
            chat = await cache.get(("chat", chat_id), lambda: client.get_group_chat(chat_id))
        except WeComError as exc:
            log.info("group chat %s cannot be read (%s)", chat_id, exc.errcode)
            return
        listed = member_change_list(ev)
        if listed is None:
            # create: its first members; an old-style member change without MemChangeList:
            # the difference; any other update (name, owner, notice): a silent repair, as the
            # member changes it sees have (or had) events of their own.
            report = (
                "initial"
                if ev.change_type == "create"
                else "diff"
                if ev.get("UpdateDetail") in MEMBER_CHANGES
                else "none"
            )
            later = await _joining_later(session, corp_id, ev) if report == "initial" else set()
            changes = await groups.apply_group_chat(
                session, corp_id, chat, now=now, report=report, not_joined=later
            )
        else:
            added = ev.get("UpdateDetail") == "add_member"
            changes = await groups.apply_member_change(
                session,
                corp_id,
                chat,
                joined=listed if added else [],
                left=[] if added else listed,
                join_scene=3 if ev.get("JoinScene") == "3" else 1,
                now=now,
            )
    rows = []
    ids = await _customer_ids(
        session, corp_id, [m.member_id for m in changes.joined + changes.left]
    )
    for m, kind in [(m, tl.JOINED_GROUP) for m in changes.joined] + [
        (m, tl.LEFT_GROUP) for m in changes.left
    ]:
        if m.member_id in ids:
            rows.append(
                tl.entry(
                    corp_id,
                    ids[m.member_id],
                    kind,
                    at=now,
                    chat_id=chat_id,
                    group_name=changes.group.name,
                    join_scene=m.join_scene,
                )
            )
    await tl.record(session, rows)
    # data: chat_id, change_type, update_detail, joined, left ({member_id, type, state, join_scene})
    await bus.publish(
        bus.EventContext(session, client),
        bus.DomainEvent(
            bus.GROUP_CHANGED,
            corp_id,
            now,
            {
                "chat_id": chat_id,
                "change_type": ev.change_type,
                "update_detail": ev.get("UpdateDetail"),
                "joined": [_member_data(m) for m in changes.joined],
                "left": [_member_data(m) for m in changes.left],
            },
        ),
    )


MEMBER_CHANGES = {"add_member", "del_member"}


def member_change_list(ev: CallbackEvent) -> list[str] | None:
    """The userids an ``add_member``/``del_member`` update names (MemChangeList), or None
    when the event names none (other updates, ``create``): then the change is the difference
    between WeCom's list and the stored one."""
    if ev.change_type != "update" or ev.get("UpdateDetail") not in MEMBER_CHANGES:
        return None
    listed = [m.strip() for m in ev.get("MemChangeList").split(",") if m.strip()]
    return listed or None


async def _joining_later(session: AsyncSession, corp_id: int, ev: CallbackEvent) -> set[str]:
    """Members that the chat's still pending ``add_member`` events name: they joined after
    the chat was created (maybe in the same second) and are counted by those events.
    (Events applied before this one in the batch are no longer pending.)"""
    rows = await session.scalars(
        scoped(InboundEvent, corp_id, InboundEvent.payload).where(
            InboundEvent.event == "change_external_chat",
            InboundEvent.change_type == "update",
            InboundEvent.status == "pending",
            InboundEvent.event_key != ev.key,
        )
    )
    out: set[str] = set()
    for payload in rows.all():
        later = CallbackEvent("change_external_chat", "update", dict(payload or {}))
        if later.get("ChatId") == ev.get("ChatId") and later.get("UpdateDetail") == "add_member":
            out.update(member_change_list(later) or [])
    return out


def _member_data(m: Any) -> dict[str, Any]:
    return {"member_id": m.member_id, "type": m.type, "state": m.state, "join_scene": m.join_scene}


async def _customer_ids(session: AsyncSession, corp_id: int, exts: list[str]) -> dict[str, int]:
    if not exts:
        return {}
    rows = await session.execute(
        select(Customer.external_userid, Customer.id).where(
            Customer.corp_id == corp_id, Customer.external_userid.in_(exts)
        )
    )
    return {e: i for e, i in rows.all()}
