"""Inheritance in the sandbox: departures, resigned and on-job transfers of customers and groups.

WeCom's facts are in ``docs/inheritance.md`` (each with its page). In short: a transfer request
only *starts* a takeover (per-customer errcode 0); the customer moves after 24 h on the sandbox
clock unless they refuse or the successor is full. :func:`settle` runs due takeovers; the
sandbox calls it before every ``/cgi-bin/`` request and after every clock move, so a test
advances the clock and the world (and the callbacks) follow.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from siyu.wecom.sandbox.api import INVALID, _decode_cursor, _encode_cursor, _str_list, route
from siyu.wecom.sandbox.world import ApiError, ChatMember, Customer, Follow, World

if TYPE_CHECKING:
    from siyu.wecom.sandbox.server import Sandbox

TAKEOVER_DELAY = 24 * 3600  # both kinds: "待24小时后自动接替" (D:96331, D:96325)
ONJOB_WINDOW = 90 * 86400  # "90个自然日内 ... 仅可被转接2次" (D:96325, D:95703)
ONJOB_MAX_IN_WINDOW = 2
MAX_CUSTOMERS_PER_CALL = 100
MAX_CHATS_PER_CALL = 100
MAX_SUCCESS_MSG = 200
RESULT_PAGE = 1000
STATUS_DIRECTORY_RESIGNED = 5  # the employee's status once departed (sandbox convention)

# per-customer / per-chat errcodes (WeCom's global error codes, docs/inheritance.md)
E_INVALID_EXTERNAL = 40096
E_NOT_RESIGNED = 40097
E_IN_TRANSFER_RESIGNED = 40100
E_TOO_FREQUENT = 40128
E_IN_TRANSFER = 40129
E_SAME_USER = 40130
E_NOT_FOLLOWER = 40131
E_CHAT_OWNER_NOT_RESIGNED = 90500
E_CHAT_OWNER_RESIGNED = 90502
E_CHAT_SAME_OWNER = 90504
E_CHAT_NOT_FOUND = 40050

# transfer_result statuses
ACCEPTED, WAITING, REFUSED, LIMIT, NO_RECORD = 1, 2, 3, 4, 5
# groupchat/list status: 0 normal, 1 离职待继承, 2 离职继承中, 3 离职继承完成 (D:92120)
CHAT_RESIGNED_WAITING, CHAT_RESIGNED_DONE = 1, 3


@dataclass
class Transfer:
    kind: str  # "resigned" | "onjob"
    external_userid: str
    handover: str
    takeover: str
    started: float
    takeover_time: float
    status: int = WAITING
    success_msg: str = ""
    #: set by the refuse actor: the customer refuses before the takeover time
    refuse: bool = False


@dataclass
class TransferState:
    departed: dict[str, int] = field(default_factory=dict)  # userid -> dimission_time
    transfers: list[Transfer] = field(default_factory=list)
    pending: list[tuple[float, int]] = field(default_factory=list)  # heap of (due, index)
    #: external_userid -> start times of its on-job transfers (90-day window)
    onjob_starts: dict[str, list[float]] = field(default_factory=dict)
    #: chat_id -> times of its on-job group transfers
    chat_onjob: dict[str, list[float]] = field(default_factory=dict)
    refuse_rate: float = 0.0
    takeover_delay: int = TAKEOVER_DELAY
    #: a successor with this many customers takes no more (status 4); WeCom's cap depends on
    #: the corp's licence, so the sandbox's is a setting
    customer_cap: int = 50_000
    rng: random.Random = field(default_factory=lambda: random.Random("transfers"))


def ts(world: World) -> TransferState:
    """The inheritance state of a world (created on first use)."""
    state = getattr(world, "_transfers", None)
    if state is None:
        state = TransferState()
        world._transfers = state  # type: ignore[attr-defined]
    return state


# ---------------------------------------------------------------------- departure


def depart(sandbox: Sandbox, userid: str) -> dict[str, Any]:
    """The employee leaves the corp (world lock held): their customers and groups wait."""
    world = sandbox.world
    emp = world.employee(userid)
    state = ts(world)
    if userid in state.departed:
        raise ApiError(INVALID, f"{userid} has already departed")
    now = int(world.now())
    state.departed[userid] = now
    emp.status = STATUS_DIRECTORY_RESIGNED
    emp.contact_enabled = False  # no longer in get_follow_user_list
    chats = [c for c in world.chats.values() if c.owner == userid]
    for chat in chats:
        chat.status = CHAT_RESIGNED_WAITING
    delivery = sandbox.emit("change_contact", ChangeType="delete_user", UserID=userid)
    return {
        "userid": userid,
        "dimission_time": now,
        "customers": len(world.by_employee.get(userid, {})),
        "group_chats": [c.chat_id for c in chats],
        "_delivery": delivery,
    }


def _require_active(world: World, userid: str, name: str) -> None:
    world.employee(userid)
    if userid in ts(world).departed:
        raise ApiError(60111, f"{name} has departed: {userid}")


# ---------------------------------------------------------------------- unassigned list


@route("externalcontact/get_unassigned_list", contact=True)
def get_unassigned_list(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    state = ts(world)
    size = body.get("page_size", 1000)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ApiError(INVALID, "page_size must be an integer (1-1000)")
    size = min(size or 1000, 1000)
    busy = {
        (t.handover, t.external_userid)
        for t in state.transfers
        if t.kind == "resigned" and t.status in (WAITING, ACCEPTED)
    }
    rows = [
        (dimission, userid, ext)
        for userid, dimission in state.departed.items()
        for ext in world.by_employee.get(userid, {})
        if (userid, ext) not in busy
    ]
    rows.sort()
    (start,) = _decode_cursor(str(body.get("cursor") or ""), 1)
    page = rows[start : start + size]
    last = start + size >= len(rows)
    return {
        "info": [
            {"handover_userid": u, "external_userid": e, "dimission_time": d} for d, u, e in page
        ],
        "is_last": last,
        "next_cursor": "" if last else _encode_cursor(start + size),
    }


# ---------------------------------------------------------------------- customer transfers


def _customer_list(body: dict[str, Any]) -> list[str]:
    exts = _str_list(body, "external_userid")
    if not exts:
        raise ApiError(INVALID, "external_userid is required")
    if len(exts) > MAX_CUSTOMERS_PER_CALL:
        raise ApiError(INVALID, f"external_userid exceeds {MAX_CUSTOMERS_PER_CALL}")
    return exts


def _pending_for(state: TransferState, ext: str) -> Transfer | None:
    for t in reversed(state.transfers):
        if t.external_userid == ext and t.status == WAITING:
            return t
    return None


def _start(world: World, kind: str, handover: str, takeover: str, ext: str, msg: str = "") -> None:
    state = ts(world)
    now = world.now()
    t = Transfer(kind, ext, handover, takeover, now, now + state.takeover_delay, success_msg=msg)
    state.transfers.append(t)
    heapq.heappush(state.pending, (t.takeover_time, len(state.transfers) - 1))
    if kind == "onjob":
        state.onjob_starts.setdefault(ext, []).append(now)


def _transfer(world: World, body: dict[str, Any], kind: str) -> dict[str, Any]:
    handover = str(body.get("handover_userid") or "")
    takeover = str(body.get("takeover_userid") or "")
    exts = _customer_list(body)
    msg = body.get("transfer_success_msg") if kind == "onjob" else None
    if msg is not None and (not isinstance(msg, str) or len(msg) > MAX_SUCCESS_MSG):
        raise ApiError(INVALID, f"transfer_success_msg exceeds {MAX_SUCCESS_MSG} characters")
    world.employee(handover)
    _require_active(world, takeover, "takeover_userid")
    state = ts(world)
    resigned = handover in state.departed
    now = world.now()
    out = []
    for ext in exts:
        code = 0
        window = [s for s in state.onjob_starts.get(ext, []) if s > now - ONJOB_WINDOW]
        if ext not in world.customers:
            code = E_INVALID_EXTERNAL
        elif handover == takeover:
            code = E_SAME_USER
        elif kind == "resigned" and not resigned:
            code = E_NOT_RESIGNED
        elif handover not in world.customers[ext].follows:
            code = E_NOT_FOLLOWER
        elif _pending_for(state, ext) is not None:
            code = E_IN_TRANSFER_RESIGNED if kind == "resigned" else E_IN_TRANSFER
        elif kind == "onjob" and len(window) >= ONJOB_MAX_IN_WINDOW:
            code = E_TOO_FREQUENT
        if code == 0:
            _start(world, kind, handover, takeover, ext, msg or "")
        out.append({"external_userid": ext, "errcode": code})
    return {"customer": out}


@route("externalcontact/resigned/transfer_customer", contact=True)
def resigned_transfer_customer(
    world: World, q: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    return _transfer(world, body, "resigned")


@route("externalcontact/transfer_customer", contact=True)
def transfer_customer(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return _transfer(world, body, "onjob")


def _result(world: World, body: dict[str, Any], kind: str) -> dict[str, Any]:
    handover = str(body.get("handover_userid") or "")
    takeover = str(body.get("takeover_userid") or "")
    if not handover or not takeover:
        raise ApiError(INVALID, "handover_userid and takeover_userid are required")
    latest: dict[str, Transfer] = {}
    for t in ts(world).transfers:
        if t.kind == kind and t.handover == handover and t.takeover == takeover:
            latest[t.external_userid] = t
    rows = list(latest.values())
    (start,) = _decode_cursor(str(body.get("cursor") or ""), 1)
    page = rows[start : start + RESULT_PAGE]
    nxt = _encode_cursor(start + RESULT_PAGE) if start + RESULT_PAGE < len(rows) else ""
    return {
        "customer": [
            {
                "external_userid": t.external_userid,
                "status": t.status,
                "takeover_time": 0 if t.status in (REFUSED, LIMIT) else int(t.takeover_time),
            }
            for t in page
        ],
        "next_cursor": nxt,
    }


@route("externalcontact/resigned/transfer_result", contact=True)
def resigned_transfer_result(
    world: World, q: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    return _result(world, body, "resigned")


@route("externalcontact/transfer_result", contact=True)
def transfer_result(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return _result(world, body, "onjob")


# ---------------------------------------------------------------------- group transfers


def _chat_transfer(world: World, body: dict[str, Any], kind: str) -> dict[str, Any]:
    chat_ids = _str_list(body, "chat_id_list")
    if not chat_ids or len(chat_ids) > MAX_CHATS_PER_CALL:
        raise ApiError(INVALID, f"chat_id_list must hold 1-{MAX_CHATS_PER_CALL} chat ids")
    new_owner = str(body.get("new_owner") or "")
    _require_active(world, new_owner, "new_owner")
    state = ts(world)
    now = world.now()
    failed = []
    for chat_id in chat_ids:
        chat = world.chats.get(chat_id)
        code, msg = 0, "ok"
        window = [s for s in state.chat_onjob.get(chat_id, []) if s > now - ONJOB_WINDOW]
        if chat is None:
            code, msg = E_CHAT_NOT_FOUND, "invalid chat_id"
        elif chat.owner == new_owner:
            code, msg = E_CHAT_SAME_OWNER, "the owner of this chat is not changed"
        elif kind == "resigned" and chat.owner not in state.departed:
            code, msg = E_CHAT_OWNER_NOT_RESIGNED, "the owner of this chat is not resigned"
        elif kind == "onjob" and chat.owner in state.departed:
            code, msg = E_CHAT_OWNER_RESIGNED, "the owner of this chat is resigned"
        elif kind == "onjob" and len(window) >= ONJOB_MAX_IN_WINDOW:
            code, msg = E_TOO_FREQUENT, "chat transferred too often (2 in 90 days)"
        if code:
            failed.append({"chat_id": chat_id, "errcode": code, "errmsg": msg})
            continue
        assert chat is not None
        chat.owner = new_owner
        if kind == "resigned":
            chat.status = CHAT_RESIGNED_DONE
        else:
            state.chat_onjob.setdefault(chat_id, []).append(now)
        if new_owner not in chat.members:
            name = world.employees[new_owner].name
            chat.members[new_owner] = ChatMember(new_owner, 1, int(now), 1, name=name)
    return {"failed_chat_list": failed}


@route("externalcontact/groupchat/transfer", contact=True)
def groupchat_transfer(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return _chat_transfer(world, body, "resigned")


@route("externalcontact/groupchat/onjob_transfer", contact=True)
def groupchat_onjob_transfer(
    world: World, q: dict[str, str], body: dict[str, Any]
) -> dict[str, Any]:
    return _chat_transfer(world, body, "onjob")


# ---------------------------------------------------------------------- settlement


def _accept(sandbox: Sandbox, t: Transfer, cust: Customer) -> None:
    world = sandbox.world
    old = cust.follows.get(t.handover)
    already = t.takeover in cust.follows
    if not already:
        rel = Follow(
            userid=t.takeover,
            remark=old.remark if old else "",
            description=old.description if old else "",
            createtime=int(world.now()),
            tag_ids=list(old.tag_ids) if old else [],
            oper_userid=t.takeover,
            add_way=old.add_way if old else 0,
        )
        world.add_follow(cust, rel)
    world.remove_follow(cust, t.handover)
    t.status = ACCEPTED
    if not already:
        sandbox.emit(
            "change_external_contact",
            ChangeType="add_external_contact",
            UserID=t.takeover,
            ExternalUserID=cust.external_userid,
        )
    if t.kind == "onjob":
        sandbox.emit(
            "change_external_contact",
            ChangeType="del_external_contact",
            UserID=t.handover,
            ExternalUserID=cust.external_userid,
            Source="DELETE_BY_TRANSFER",
        )


def _fail(sandbox: Sandbox, t: Transfer, status: int, reason: str) -> None:
    t.status = status
    sandbox.emit(
        "change_external_contact",
        ChangeType="transfer_fail",
        FailReason=reason,
        UserID=t.takeover,
        ExternalUserID=t.external_userid,
    )


def finish(sandbox: Sandbox, t: Transfer) -> None:
    """Decide one takeover now (world lock held)."""
    world = sandbox.world
    state = ts(world)
    cust = world.customers.get(t.external_userid)
    if cust is None or t.handover not in cust.follows:
        t.status = REFUSED  # the relation ended meanwhile; nothing moves
        return
    if t.refuse or (state.refuse_rate and state.rng.random() < state.refuse_rate):
        _fail(sandbox, t, REFUSED, "customer_refused")
    elif len(world.by_employee.get(t.takeover, {})) >= state.customer_cap:
        _fail(sandbox, t, LIMIT, "customer_limit_exceed")
    else:
        _accept(sandbox, t, cust)


def settle(sandbox: Sandbox) -> int:
    """Run every takeover due on the sandbox clock (world lock held); returns how many."""
    state = getattr(sandbox.world, "_transfers", None)
    if state is None:
        return 0
    now = sandbox.world.now()
    done = 0
    while state.pending and state.pending[0][0] <= now:
        _, index = heapq.heappop(state.pending)
        t = state.transfers[index]
        if t.status == WAITING:
            finish(sandbox, t)
            done += 1
    return done
