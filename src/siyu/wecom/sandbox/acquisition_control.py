"""Sandbox routes for acquisition: ``media/upload`` (multipart) and the control API.

Actors: a customer scans a contact way (``POST /sandbox/actors/scan``) or a join way
(``POST /sandbox/actors/scan_join_way``). Inspection: contact ways, join ways, media, app
messages. Mounted before the generic ``/cgi-bin/`` router (multipart is not JSON).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from siyu.wecom.sandbox.contact_way import (
    acq,
    contact_way_json,
    pick_user,
    upload_media,
    way_users,
)
from siyu.wecom.sandbox.control import _acting, _finish, _member, _sb
from siyu.wecom.sandbox.seed import GIVEN, SURNAMES
from siyu.wecom.sandbox.world import ApiError, Customer, Follow, GroupChat, WelcomeCode

if TYPE_CHECKING:
    from siyu.wecom.sandbox.server import Sandbox

router = APIRouter(include_in_schema=False)
CONTACT = "change_external_contact"


@router.post("/cgi-bin/media/upload")
async def media_upload(
    request: Request, type: str = "", media: UploadFile = File(...)
) -> JSONResponse:
    sb: Sandbox = request.app.state.sandbox
    data = await media.read()
    world = sb.world
    try:
        with world.lock:
            world.check_token(request.query_params.get("access_token"))
            reply = upload_media(world, type, media.filename or "", len(data))
    except ApiError as exc:
        return JSONResponse({"errcode": exc.errcode, "errmsg": exc.errmsg})
    return JSONResponse({"errcode": 0, "errmsg": "ok", **reply})


@router.get("/sandbox/contact_ways")
def contact_ways(request: Request) -> list[dict[str, Any]]:
    sb = _sb(request)
    with sb.world.lock:
        return [
            {**contact_way_json(w), "members": way_users(sb.world, w)}
            for w in acq(sb.world).contact_ways.values()
        ]


@router.get("/sandbox/join_ways")
def join_ways(request: Request) -> list[dict[str, Any]]:
    sb = _sb(request)
    with sb.world.lock:
        return [dict(vars(w)) for w in acq(sb.world).join_ways.values()]


@router.get("/sandbox/app_messages")
def app_messages(request: Request) -> list[dict[str, Any]]:
    """App messages sent through ``message/send``."""
    sb = _sb(request)
    with sb.world.lock:
        return list(acq(sb.world).app_messages)


@router.get("/sandbox/media")
def media_list(request: Request) -> list[dict[str, Any]]:
    sb = _sb(request)
    with sb.world.lock:
        return [dict(vars(m)) for m in acq(sb.world).media.values()]


class Limits(BaseModel):
    group_capacity: int = Field(ge=1)


@router.put("/sandbox/limits")
def put_limits(body: Limits, request: Request) -> dict[str, int]:
    """Members a group chat takes through a join way before the next one is used."""
    sb = _sb(request)
    with sb.world.lock:
        acq(sb.world).group_capacity = body.group_capacity
        return {"group_capacity": body.group_capacity}


class Scan(BaseModel):
    config_id: str
    external_userid: str | None = None
    name: str | None = None


def _customer(sb: Sandbox, external_userid: str | None, name: str | None) -> Customer:
    w = sb.world
    if external_userid:
        return w.customer(external_userid)
    name = name or w.rng.choice(SURNAMES)[0] + w.rng.choice(GIVEN)[0]
    cust = Customer(external_userid=w.new_id("wm", 30), name=name, gender=w.rng.choice([1, 2]))
    cust.avatar = f"https://wx.qlogo.cn/mmhead/{w.new_id('', 24)}/0"
    w.customers[cust.external_userid] = cust
    return cust


@router.post("/sandbox/actors/scan")
def scan(body: Scan, request: Request, wait: bool = False) -> dict[str, Any]:
    """A customer scans a 「联系我」 code: WeCom picks the member (rotating over multi-member
    ways) and sends ``add_external_contact`` (``add_half_external_contact`` when the way asks
    for verification) with the way's State and a WelcomeCode."""
    sb = _sb(request)
    with _acting(sb):
        w = sb.world
        way = acq(w).contact_ways.get(body.config_id)
        if way is None:
            raise ApiError(41044, "invalid config_id")
        if way.is_temp and w.now() > way.created + (way.expires_in or 7 * 86400):
            raise ApiError(41044, "the contact way has expired")
        cust = _customer(sb, body.external_userid, body.name)
        candidates = [u for u in way_users(w, way) if u not in cust.follows]
        if not candidates:
            raise HTTPException(409, "already a customer of every member of this way")
        userid = pick_user(w, way)
        while userid in cust.follows:
            userid = pick_user(w, way)
        rel = Follow(userid=userid, createtime=int(w.now()), add_way=1, state=way.state)
        rel.oper_userid = cust.external_userid
        w.add_follow(cust, rel)
        code = w.new_id("", 43)
        w.welcome_codes[code] = WelcomeCode(code, userid, cust.external_userid, w.now())
        change = "add_external_contact" if way.skip_verify else "add_half_external_contact"
        delivery = sb.emit(
            CONTACT,
            ChangeType=change,
            UserID=userid,
            ExternalUserID=cust.external_userid,
            State=way.state or None,
            WelcomeCode=code,
        )
    return _finish(
        sb,
        delivery,
        wait,
        external_userid=cust.external_userid,
        userid=userid,
        welcome_code=code,
        change_type=change,
    )


@router.post("/sandbox/actors/scan_join_way")
def scan_join_way(body: Scan, request: Request, wait: bool = False) -> dict[str, Any]:
    """A customer scans a 「加入群聊」 code: joins the first group with room left; when all are
    full and the way auto-creates rooms, WeCom opens ``room_base_name`` + counter first."""
    sb = _sb(request)
    with _acting(sb):
        w = sb.world
        state = acq(w)
        way = state.join_ways.get(body.config_id)
        if way is None:
            raise ApiError(41044, "invalid config_id")
        cust = _customer(sb, body.external_userid, body.name)
        target = next(
            (
                w.chats[c]
                for c in way.chat_id_list
                if c in w.chats and len(w.chats[c].members) < state.group_capacity
            ),
            None,
        )
        deliveries = []
        if target is None:
            if not way.auto_create_room or not way.chat_id_list:
                raise HTTPException(409, "every group chat of this join way is full")
            first = w.chats.get(way.chat_id_list[0])
            owner = first.owner if first else next(iter(w.employees))
            name = f"{way.room_base_name}{way.room_base_id}"
            way.room_base_id += 1
            target = GroupChat(w.new_id("wr", 30), name, owner, int(w.now()))
            target.members[owner] = _member(sb, target, owner, 0, "")
            w.chats[target.chat_id] = target
            way.chat_id_list.append(target.chat_id)
            deliveries.append(
                sb.emit("change_external_chat", ChatId=target.chat_id, ChangeType="create")
            )
        if cust.external_userid in target.members:
            raise HTTPException(409, "already a member of the group chat")
        target.members[cust.external_userid] = _member(
            sb, target, cust.external_userid, 3, way.state
        )
        deliveries.append(
            sb.emit(
                "change_external_chat",
                ChatId=target.chat_id,
                ChangeType="update",
                UpdateDetail="add_member",
                JoinScene=3,
                MemChangeCnt=1,
                MemChangeList=[cust.external_userid],
            )
        )
    if wait:
        for d in deliveries[:-1]:
            d.done.wait(sb.emitter.timeout * sb.emitter.attempts + 10)  # type: ignore[attr-defined]
    return _finish(
        sb,
        deliveries[-1],
        wait,
        external_userid=cust.external_userid,
        chat_id=target.chat_id,
        created=len(deliveries) > 1,
    )
