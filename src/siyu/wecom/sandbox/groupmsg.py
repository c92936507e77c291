"""Sandbox: corp mass messages (企业群发) to customers, their tasks and send results.

State lives next to the world (:func:`gm`), under the world lock. Limits follow WeCom's
documentation (``shared/wecom/API.md`` §2): ≤10,000 ``external_userid`` per call, ``sender``
must be a member with customer contact, text ≤4000 bytes, ≤9 attachments of five types,
``get_groupmsg_list_v2`` ranges ≤1 month and pages ≤100, task and result pages ≤1000, at most
3 reminders per message per 24 h. Nothing is sent until the employee confirms (scripted through
the control API, or ``auto_confirm``). The per-customer cap on corp mass messages is a per-corp
setting (:data:`CAP_RULES`); a capped customer gets status 3.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from siyu.wecom.sandbox.api import (
    INVALID,
    _decode_cursor,
    _encode_cursor,
    _int,
    _str_list,
    route,
)
from siyu.wecom.sandbox.contact_way import ATTACHMENT_TYPES, check_media
from siyu.wecom.sandbox.world import ApiError, World

MAX_RECIPIENTS = 10_000
TEXT_MAX_BYTES = 4000
ATTACHMENTS_MAX = 9
LIST_RANGE_MAX = 31 * 86400
REMINDS_PER_DAY = 3
TZ = ZoneInfo("Asia/Shanghai")
#: cap rule -> description; the cap counts customers' received corp mass messages per period
CAP_RULES = {
    "off": "no cap",
    "month4": "4 per natural month (older documentation)",
    "days_of_month": "as many as the days of the natural month",
    "week7": "7 per natural week",
    "day1": "1 per natural day",
}
UNSENT, SENT, NOT_FRIEND, CAPPED = 0, 1, 2, 3


@dataclass
class GroupMsg:
    msgid: str
    sender: str
    create_time: int
    text: dict[str, Any]
    attachments: list[dict[str, Any]]
    #: external_userid -> [status, send_time]
    results: dict[str, list[int]] = field(default_factory=dict)
    task_status: int = 0
    task_send_time: int = 0
    cancelled: bool = False
    reminds: list[float] = field(default_factory=list)
    #: single (results keyed by external_userid) or group (keyed by chat_id)
    chat_type: str = "single"


@dataclass
class GroupMsgState:
    messages: dict[str, GroupMsg] = field(default_factory=dict)
    auto_confirm: bool = False
    cap_rule: str = "off"
    reply_delay_ms: int = 0
    #: external_userid or chat_id -> times it received a corp mass message (status 1)
    received: dict[str, list[int]] = field(default_factory=dict)
    #: external_userid or chat_id -> times it was targeted by an accepted add_msg_template
    targeted: Counter[str] = field(default_factory=Counter)


def gm(world: World) -> GroupMsgState:
    """The mass-message state of a world (created on first use)."""
    state = getattr(world, "_groupmsg", None)
    if state is None:
        state = GroupMsgState()
        world._groupmsg = state  # type: ignore[attr-defined]
    return state


# ---------------------------------------------------------------------- frequency cap


def cap_window(rule: str, now: float) -> tuple[int, int]:
    """(period start as a timestamp, the cap) of a rule at ``now`` in the corp's time zone."""
    local = datetime.fromtimestamp(now, TZ)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if rule == "day1":
        return int(day.timestamp()), 1
    if rule == "week7":
        return int((day - timedelta(days=day.weekday())).timestamp()), 7
    month = day.replace(day=1)
    if rule == "month4":
        return int(month.timestamp()), 4
    if rule == "days_of_month":
        return int(month.timestamp()), calendar.monthrange(local.year, local.month)[1]
    return 0, 1 << 30


def capped(state: GroupMsgState, external_userid: str, now: float) -> bool:
    if state.cap_rule == "off":
        return False
    start, cap = cap_window(state.cap_rule, now)
    return sum(1 for t in state.received.get(external_userid, ()) if t >= start) >= cap


# ---------------------------------------------------------------------- employee actions


def employee_send(world: World, msg: GroupMsg, only: list[str] | None = None) -> dict[str, int]:
    """The sender confirms in the client: send to ``only`` (default everyone still unsent)."""
    if msg.cancelled:
        raise ApiError(41063, "the message was cancelled")
    state = gm(world)
    now = int(world.now())
    counts: Counter[str] = Counter()
    targets = msg.results if only is None else {e: msg.results[e] for e in only if e in msg.results}
    for ext, result in targets.items():
        if result[0] != UNSENT:
            continue
        if msg.chat_type == "group":
            chat = world.chats.get(ext)
            gone = chat is None or chat.owner != msg.sender
        else:
            cust = world.customers.get(ext)
            gone = cust is None or msg.sender not in cust.follows
        if gone:
            result[:] = [NOT_FRIEND, now]
            counts["not_friend"] += 1
        elif capped(state, ext, now):
            result[:] = [CAPPED, now]
            counts["capped"] += 1
        else:
            result[:] = [SENT, now]
            state.received.setdefault(ext, []).append(now)
            counts["sent"] += 1
    msg.task_status, msg.task_send_time = 2, now
    return dict(counts)


# ---------------------------------------------------------------------- API handlers


def _check_attachments(world: World, attachments: Any) -> list[dict[str, Any]]:
    if not isinstance(attachments, list):
        raise ApiError(INVALID, "attachments must be a list")
    if len(attachments) > ATTACHMENTS_MAX:
        raise ApiError(INVALID, f"attachments exceed {ATTACHMENTS_MAX}")
    for att in attachments:
        kind = att.get("msgtype") if isinstance(att, dict) else None
        if kind not in ATTACHMENT_TYPES:
            raise ApiError(41065, f"invalid attachment type: {kind}")
        part = att.get(kind) or {}
        if kind == "image" and not part.get("pic_url"):
            check_media(world, str(part.get("media_id") or ""), "image")
        elif kind == "miniprogram":
            check_media(world, str(part.get("pic_media_id") or ""), "image")
        elif kind in ("video", "file"):
            check_media(world, str(part.get("media_id") or ""), kind)
        elif kind == "link" and not (part.get("title") and part.get("url")):
            raise ApiError(INVALID, "link attachments need a title and a url")
    return attachments


@route("externalcontact/add_msg_template", contact=True)
def add_msg_template(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    chat_type = str(body.get("chat_type") or "single")
    if chat_type not in ("single", "group"):
        raise ApiError(INVALID, "chat_type must be single or group")
    externals = _str_list(body, "external_userid" if chat_type == "single" else "chat_id_list")
    sender = str(body.get("sender") or "")
    if chat_type == "group" and not sender:
        raise ApiError(INVALID, "sender is required for chat_type group")
    if not externals and not sender:
        raise ApiError(INVALID, "external_userid and sender may not both be empty")
    if len(externals) > MAX_RECIPIENTS:
        raise ApiError(INVALID, f"external_userid exceeds {MAX_RECIPIENTS}")
    if not sender:
        raise ApiError(INVALID, "the sandbox needs a sender")
    emp = world.employee(sender)
    if not emp.contact_enabled or emp.status != 1:
        raise ApiError(60111, f"sender {sender} cannot send customer messages")
    text = body.get("text") or {}
    if not isinstance(text, dict):
        raise ApiError(INVALID, "text must be an object")
    content = str(text.get("content") or "")
    if len(content.encode()) > TEXT_MAX_BYTES:
        raise ApiError(INVALID, f"text.content exceeds {TEXT_MAX_BYTES} bytes")
    attachments = _check_attachments(world, body.get("attachments") or [])
    if not content and not attachments:
        raise ApiError(INVALID, "text and attachments may not both be empty")
    mine: dict[str, Any]
    if chat_type == "group":
        mine = {c.chat_id: None for c in world.chats.values() if c.owner == sender}
    else:
        mine = world.by_employee.get(sender, {})
    if not externals:
        externals = list(mine)
    ok = [e for e in dict.fromkeys(externals) if e in mine]
    fail = [e for e in dict.fromkeys(externals) if e not in mine]
    state = gm(world)
    msg = GroupMsg(
        msgid=world.new_id("msg", 24),
        sender=sender,
        create_time=int(world.now()),
        text={"content": content} if content else {},
        attachments=attachments,
        results={e: [UNSENT, 0] for e in ok},
        chat_type=chat_type,
    )
    state.messages[msg.msgid] = msg
    state.targeted.update(ok)
    if state.auto_confirm:
        employee_send(world, msg)
    return {"fail_list": fail, "msgid": msg.msgid}


#: WeCom's global error codes (developer.work.weixin.qq.com/document/path/90313):
#: 41046 缺少企业群发消息id, 41047 无效的企业群发消息id (see docs/broadcasts.md)
MISSING_MSGID, INVALID_MSGID = 41046, 41047


def _msg(world: World, body: dict[str, Any]) -> GroupMsg:
    msgid = str(body.get("msgid") or "")
    if not msgid:
        raise ApiError(MISSING_MSGID, "missing msgid")
    msg = gm(world).messages.get(msgid)
    if msg is None:  # never created here, or by an earlier sandbox (the demo's restarts)
        raise ApiError(INVALID_MSGID, f"invalid msgid: {msgid}")
    return msg


def _limit(body: dict[str, Any], default: int, top: int) -> int:
    limit = _int(body.get("limit"), "limit", default)
    if limit <= 0:
        return default
    if limit > top:
        raise ApiError(INVALID, f"limit exceeds {top}")
    return limit


@route("externalcontact/get_groupmsg_list_v2", contact=True)
def get_groupmsg_list_v2(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    chat_type = str(body.get("chat_type") or "single")
    start, end = _int(body.get("start_time"), "start_time"), _int(body.get("end_time"), "end_time")
    if not start or not end or end < start:
        raise ApiError(INVALID, "start_time and end_time are required, start before end")
    if end - start > LIST_RANGE_MAX:
        raise ApiError(INVALID, "the time range exceeds one month")
    if _int(body.get("filter_type"), "filter_type", 2) == 1 or body.get("creator"):
        return {"group_msg_list": [], "next_cursor": ""}  # API-created messages have no creator
    limit = _limit(body, 50, 100)
    (pos,) = _decode_cursor(str(body.get("cursor") or ""), 1)
    found = [
        m
        for m in gm(world).messages.values()
        if start <= m.create_time <= end and m.chat_type == chat_type
    ]
    page = found[pos : pos + limit]
    items = []
    for m in page:
        item: dict[str, Any] = {"msgid": m.msgid, "create_time": str(m.create_time)}
        item["create_type"] = 0
        if m.text:
            item["text"] = dict(m.text)
        item["attachments"] = list(m.attachments)
        items.append(item)
    more = pos + limit < len(found)
    return {"group_msg_list": items, "next_cursor": _encode_cursor(pos + limit) if more else ""}


@route("externalcontact/get_groupmsg_task", contact=True)
def get_groupmsg_task(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    msg = _msg(world, body)
    _limit(body, 500, 1000)
    task: dict[str, Any] = {"userid": msg.sender, "status": msg.task_status}
    if msg.task_status == 2:
        task["send_time"] = msg.task_send_time
    return {"task_list": [task], "next_cursor": ""}


@route("externalcontact/get_groupmsg_send_result", contact=True)
def get_groupmsg_send_result(
    world: World, q: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    msg = _msg(world, body)
    userid = str(body.get("userid") or "")
    world.employee(userid)
    limit = _limit(body, 500, 1000)
    (pos,) = _decode_cursor(str(body.get("cursor") or ""), 1)
    rows = list(msg.results.items()) if userid == msg.sender else []
    page = rows[pos : pos + limit]
    items = []
    for ext, (status, when) in page:
        key = "chat_id" if msg.chat_type == "group" else "external_userid"
        item: dict[str, Any] = {key: ext, "userid": userid, "status": status}
        if status == SENT:
            item["send_time"] = when
        items.append(item)
    more = pos + limit < len(rows)
    return {"send_list": items, "next_cursor": _encode_cursor(pos + limit) if more else ""}


@route("externalcontact/remind_groupmsg_send", contact=True)
def remind_groupmsg_send(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    msg = _msg(world, body)
    now = world.now()
    recent = [t for t in msg.reminds if now - t < 86400]
    if len(recent) >= REMINDS_PER_DAY:
        raise ApiError(45009, "remind limit: at most 3 reminders per message per 24 hours")
    if msg.cancelled:
        raise ApiError(41063, "the message was cancelled")
    msg.reminds = [*recent, now]
    return {}


@route("externalcontact/cancel_groupmsg_send", contact=True)
def cancel_groupmsg_send(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    msg = _msg(world, body)
    msg.cancelled = True
    return {}


def message_json(msg: GroupMsg) -> dict[str, Any]:
    """A message as the control API shows it."""
    counts = Counter(r[0] for r in msg.results.values())
    return {
        "msgid": msg.msgid,
        "chat_type": msg.chat_type,
        "sender": msg.sender,
        "create_time": msg.create_time,
        "text": msg.text,
        "attachments": msg.attachments,
        "recipients": len(msg.results),
        "task_status": msg.task_status,
        "cancelled": msg.cancelled,
        "reminds": len(msg.reminds),
        "status_counts": {str(k): v for k, v in sorted(counts.items())},
        "created_at": datetime.fromtimestamp(msg.create_time, UTC).isoformat(),
    }
