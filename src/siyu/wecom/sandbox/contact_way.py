"""Sandbox: 「联系我」 contact ways, 「加入群聊」 join ways, media upload and app messages.

State lives next to the world (:func:`acq`), under the world lock like everything else. Limits
follow WeCom's documentation (see ``shared/wecom/API.md``): ``state`` ≤30 characters, ≤100 users
per way, type 1 takes exactly one user, ``expires_in`` ≤14 days for temporary ways, ≤5 chat ids
per join way, media expire after 3 days, app messages to unknown users are reported in
``invaliduser`` (81013 when nobody is valid).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from siyu.wecom.sandbox.api import HANDLERS, INVALID, _check_len, _int, _str_list, route
from siyu.wecom.sandbox.world import ApiError, World

STATE_MAX = 30
WAY_USERS_MAX = 100
TEMP_EXPIRES_MAX = 14 * 86400
JOIN_WAY_CHATS_MAX = 5
MEDIA_TTL = 3 * 86400
GROUP_CAPACITY = 200  # members a group chat takes through a QR code


@dataclass
class ContactWay:
    config_id: str
    type: int
    scene: int
    style: int = 0
    remark: str = ""
    skip_verify: bool = True
    state: str = ""
    user: list[str] = field(default_factory=list)
    party: list[int] = field(default_factory=list)
    is_temp: bool = False
    expires_in: int = 0
    created: float = 0.0
    qr_code: str = ""
    next_pick: int = 0


@dataclass
class JoinWay:
    config_id: str
    scene: int
    remark: str = ""
    auto_create_room: int = 1
    room_base_name: str = ""
    room_base_id: int = 1
    chat_id_list: list[str] = field(default_factory=list)
    state: str = ""
    qr_code: str = ""


@dataclass
class Media:
    media_id: str
    type: str
    filename: str
    size: int
    created: float


@dataclass
class AcquisitionState:
    contact_ways: dict[str, ContactWay] = field(default_factory=dict)
    join_ways: dict[str, JoinWay] = field(default_factory=dict)
    media: dict[str, Media] = field(default_factory=dict)
    app_messages: list[dict[str, Any]] = field(default_factory=list)
    group_capacity: int = GROUP_CAPACITY


def acq(world: World) -> AcquisitionState:
    """The acquisition state of a world (created on first use)."""
    state = getattr(world, "_acquisition", None)
    if state is None:
        state = AcquisitionState()
        world._acquisition = state  # type: ignore[attr-defined]
    return state


# ---------------------------------------------------------------------- contact ways


def way_users(world: World, way: ContactWay) -> list[str]:
    """The way's members with its departments expanded (WeCom counts them this way)."""
    users = list(dict.fromkeys(way.user))
    for dep in way.party:
        scope = set(world.department_tree(dep))
        users.extend(
            e.userid
            for e in world.employees.values()
            if scope.intersection(e.department) and e.userid not in users
        )
    return users


def _check_way(world: World, way: ContactWay) -> None:
    if way.type not in (1, 2):
        raise ApiError(INVALID, "type must be 1 (single) or 2 (multi)")
    if way.scene not in (1, 2):
        raise ApiError(INVALID, "scene must be 1 (mini program) or 2 (QR code)")
    for u in way.user:
        world.employee(u)
    for p in way.party:
        if p not in world.departments:
            raise ApiError(60123, f"invalid party id: {p}")
    if way.type == 1 and (len(way.user) != 1 or way.party):
        raise ApiError(INVALID, "type 1 requires exactly one user and no party")
    if way.type == 2 and not way.user and not way.party:
        raise ApiError(INVALID, "user and party are both empty")
    if len(way_users(world, way)) > WAY_USERS_MAX:
        raise ApiError(INVALID, f"a contact way takes at most {WAY_USERS_MAX} users")
    if way.is_temp and (way.type != 1 or way.expires_in > TEMP_EXPIRES_MAX):
        raise ApiError(INVALID, "temporary ways take one user and expire within 14 days")


def _apply_fields(way: ContactWay, body: dict[str, Any]) -> None:
    if "remark" in body:
        way.remark = _check_len(body.get("remark"), 30, "remark")
    if "state" in body:
        way.state = _check_len(body.get("state"), STATE_MAX, "state")
    if "skip_verify" in body:
        way.skip_verify = bool(body.get("skip_verify"))
    if "style" in body:
        way.style = _int(body.get("style"), "style")
    if "user" in body:
        way.user = _str_list(body, "user")
    if "party" in body:
        party = body.get("party") or []
        if not isinstance(party, list):
            raise ApiError(INVALID, "party must be a list")
        way.party = [_int(p, "party") for p in party]
    if "expires_in" in body:
        way.expires_in = _int(body.get("expires_in"), "expires_in")


def _expired(world: World, way: ContactWay) -> bool:
    return way.is_temp and world.now() > way.created + (way.expires_in or 7 * 86400)


@route("externalcontact/add_contact_way", contact=True)
def add_contact_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    state = acq(world)
    way = ContactWay(
        config_id=world.new_id("", 32),
        type=_int(body.get("type"), "type"),
        scene=_int(body.get("scene"), "scene"),
        is_temp=bool(body.get("is_temp")),
        created=world.now(),
    )
    _apply_fields(way, body)
    _check_way(world, way)
    if way.scene == 2:
        way.qr_code = f"https://wework.qpic.cn/wwpic/sandbox/{way.config_id}/0"
    state.contact_ways[way.config_id] = way
    reply: dict[str, Any] = {"config_id": way.config_id}
    if way.qr_code:
        reply["qr_code"] = way.qr_code
    return reply


def _way(world: World, body: dict[str, Any]) -> ContactWay:
    way = acq(world).contact_ways.get(str(body.get("config_id") or ""))
    if way is None:
        raise ApiError(41044, "invalid config_id")
    return way


def contact_way_json(way: ContactWay) -> dict[str, Any]:
    data = asdict(way)
    for private in ("created", "next_pick"):
        data.pop(private)
    return data


@route("externalcontact/get_contact_way", contact=True)
def get_contact_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return {"contact_way": contact_way_json(_way(world, body))}


@route("externalcontact/update_contact_way", contact=True)
def update_contact_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    way = _way(world, body)
    if _expired(world, way):
        raise ApiError(INVALID, "an expired temporary contact way cannot be edited")
    edited = ContactWay(**asdict(way))
    _apply_fields(edited, body)
    _check_way(world, edited)
    acq(world).contact_ways[way.config_id] = edited
    return {}


@route("externalcontact/del_contact_way", contact=True)
def del_contact_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    way = _way(world, body)
    del acq(world).contact_ways[way.config_id]
    return {}


@route("externalcontact/list_contact_way", contact=True)
def list_contact_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    limit = min(_int(body.get("limit"), "limit", 100) or 100, 1000)
    now = world.now()
    start = _int(body.get("start_time"), "start_time", int(now - 90 * 86400))
    end = _int(body.get("end_time"), "end_time", int(now) + 1)
    ways = [
        w for w in acq(world).contact_ways.values() if not w.is_temp and start <= w.created <= end
    ]
    cursor = str(body.get("cursor") or "")
    offset = int(cursor) if cursor.isdigit() else 0
    page = ways[offset : offset + limit]
    nxt = str(offset + limit) if offset + limit < len(ways) else ""
    return {"contact_way": [{"config_id": w.config_id} for w in page], "next_cursor": nxt}


def pick_user(world: World, way: ContactWay) -> str:
    """The member a scan lands on: multi-member ways rotate over their current members."""
    users = way_users(world, way)
    if not users:
        raise ApiError(INVALID, "the contact way has no member")
    userid = users[way.next_pick % len(users)]
    way.next_pick += 1
    return userid


# ---------------------------------------------------------------------- join ways


def _join_fields(world: World, way: JoinWay, body: dict[str, Any]) -> None:
    way.scene = _int(body.get("scene"), "scene", way.scene)
    if way.scene not in (1, 2):
        raise ApiError(INVALID, "scene must be 1 (mini program) or 2 (QR code)")
    way.remark = str(body.get("remark") or "")[:30]  # WeCom truncates remarks past 30
    way.auto_create_room = _int(body.get("auto_create_room"), "auto_create_room", 1)
    way.room_base_name = _check_len(body.get("room_base_name"), 40, "room_base_name")
    way.room_base_id = _int(body.get("room_base_id"), "room_base_id", 1)
    way.state = _check_len(body.get("state"), STATE_MAX, "state")
    chats = _str_list(body, "chat_id_list")
    if not chats:
        raise ApiError(INVALID, "chat_id_list is required")
    if len(chats) > JOIN_WAY_CHATS_MAX:
        raise ApiError(INVALID, f"chat_id_list takes at most {JOIN_WAY_CHATS_MAX} group chats")
    for c in chats:
        if c not in world.chats:
            raise ApiError(40050, f"invalid chat_id: {c}")
    way.chat_id_list = chats


@route("externalcontact/groupchat/add_join_way", contact=True)
def add_join_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    way = JoinWay(config_id=world.new_id("", 32), scene=2)
    _join_fields(world, way, body)
    if way.scene == 2:
        way.qr_code = f"https://wework.qpic.cn/wwpic/sandbox-join/{way.config_id}/0"
    acq(world).join_ways[way.config_id] = way
    return {"config_id": way.config_id}


def _join_way(world: World, body: dict[str, Any]) -> JoinWay:
    way = acq(world).join_ways.get(str(body.get("config_id") or ""))
    if way is None:
        raise ApiError(41044, "invalid config_id")
    return way


@route("externalcontact/groupchat/get_join_way", contact=True)
def get_join_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return {"join_way": asdict(_join_way(world, body))}


@route("externalcontact/groupchat/update_join_way", contact=True)
def update_join_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    way = _join_way(world, body)
    edited = JoinWay(**asdict(way))
    _join_fields(world, edited, body)  # WeCom overwrites the whole config
    acq(world).join_ways[way.config_id] = edited
    return {}


@route("externalcontact/groupchat/del_join_way", contact=True)
def del_join_way(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    way = _join_way(world, body)
    del acq(world).join_ways[way.config_id]
    return {}


# ---------------------------------------------------------------------- app messages, media


@route("message/send")
def message_send(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    if _int(body.get("agentid"), "agentid") != world.agent_id:
        raise ApiError(40056, "invalid agentid")
    msgtype = str(body.get("msgtype") or "")
    if msgtype not in ("text", "textcard", "markdown"):
        raise ApiError(INVALID, f"msgtype {msgtype!r} is not supported by the sandbox")
    content = body.get(msgtype) or {}
    if not isinstance(content, dict):
        raise ApiError(INVALID, f"{msgtype} must be an object")
    if msgtype == "text" and len(str(content.get("content") or "").encode()) > 2048:
        raise ApiError(INVALID, "text.content exceeds 2048 bytes")
    touser = [u for u in str(body.get("touser") or "").split("|") if u]
    if touser == ["@all"]:
        touser = list(world.employees)
    valid = [u for u in touser if u in world.employees]
    invalid = [u for u in touser if u not in world.employees]
    if not valid:
        raise ApiError(81013, "user & party & tag all invalid")
    state = acq(world)
    msgid = world.new_id("", 40)
    dedupe = _int(body.get("enable_duplicate_check"), "enable_duplicate_check")
    interval = _int(body.get("duplicate_check_interval"), "duplicate_check_interval", 1800)
    if dedupe:
        for m in reversed(state.app_messages):
            if world.now() - m["sent_at"] > interval:
                break
            if m["touser"] == valid and m["msgtype"] == msgtype and m[msgtype] == content:
                return {"invaliduser": "|".join(invalid).lower(), "msgid": m["msgid"]}
    state.app_messages.append(
        {
            "msgid": msgid,
            "touser": valid,
            "msgtype": msgtype,
            msgtype: content,
            "sent_at": world.now(),
        }
    )
    return {"invaliduser": "|".join(invalid).lower(), "msgid": msgid}


def upload_media(world: World, kind: str, filename: str, size: int) -> dict[str, Any]:
    """``media/upload``: a temporary media id valid for 3 days."""
    if kind not in ("image", "voice", "video", "file"):
        raise ApiError(40004, "invalid media type")
    if size < 5:
        raise ApiError(40005, "invalid media size")
    limit = {"image": 10, "voice": 2, "video": 10, "file": 20}[kind] * 1024 * 1024
    if size > limit:
        raise ApiError(40006, "invalid media size")
    media = Media(world.new_id("3", 60), kind, filename, size, world.now())
    acq(world).media[media.media_id] = media
    return {"type": kind, "media_id": media.media_id, "created_at": str(int(media.created))}


def check_media(world: World, media_id: str, kind: str | None = None) -> None:
    """Raise 40007 for an unknown or expired media id (temporary media live 3 days)."""
    media = acq(world).media.get(media_id)
    if media is None or world.now() - media.created > MEDIA_TTL:
        raise ApiError(40007, f"invalid media_id: {media_id}")
    if kind is not None and media.type != kind:
        raise ApiError(40007, f"media {media_id} is not of type {kind}")


_send_welcome = HANDLERS["externalcontact/send_welcome_msg"][1]
ATTACHMENT_TYPES = ("image", "link", "miniprogram", "video", "file")


@route("externalcontact/send_welcome_msg", contact=True)
def send_welcome_msg(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    """WeCom's checks on attachments (type, media ids alive), then the welcome-code checks."""
    attachments = body.get("attachments") or []
    if isinstance(attachments, list):
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
    return _send_welcome(world, q, body)
