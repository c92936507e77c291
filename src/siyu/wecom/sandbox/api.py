"""WeCom API handlers of the sandbox: ``(world, query, body) -> reply dict``.

Each handler runs under the world lock and raises :class:`ApiError` for WeCom errcodes. The
registry :data:`HANDLERS` maps a path under ``/cgi-bin/`` to (HTTP method, handler, needs
customer-contact permission). API changes never emit callbacks (like WeCom).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from siyu.wecom.sandbox.world import WELCOME_CODE_TTL, ApiError, Tag, TagGroup, World

Handler = Callable[[World, dict[str, str], dict[str, Any]], dict[str, Any]]
HANDLERS: dict[str, tuple[str, Handler, bool]] = {}

INVALID = 40058  # WeCom "不合法的参数" / invalid parameter


def route(path: str, method: str = "POST", contact: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[path] = (method, fn, contact)
        return fn

    return register


def _encode_cursor(*parts: int) -> str:
    return base64.urlsafe_b64encode(":".join(map(str, parts)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, n: int) -> list[int]:
    if not cursor:
        return [0] * n
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = [int(p) for p in raw.split(":")]
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(INVALID, "invalid cursor") from exc
    if len(values) != n or any(v < 0 for v in values):
        raise ApiError(INVALID, "invalid cursor")
    return values


def _str_list(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(INVALID, f"{key} must be a list of strings")
    return value


def _check_len(value: Any, limit: int, name: str, errcode: int = INVALID) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(INVALID, f"{name} must be a string")
    if len(value) > limit:
        raise ApiError(errcode, f"{name} exceeds {limit} characters")
    return value


def _int(value: Any, name: str, default: int = 0) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(INVALID, f"{name} must be an integer") from exc


# ---------------------------------------------------------------------- contacts


@route("getcallbackip", "GET")
def getcallbackip(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return {"ip_list": ["127.0.0.1"]}


@route("department/list", "GET")
def department_list(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    root = _int(q.get("id"), "id", 1)
    if root not in world.departments:
        raise ApiError(60123, f"invalid party id: {root}")
    return {
        "department": [
            world.department_json(world.departments[i]) for i in world.department_tree(root)
        ]
    }


@route("department/simplelist", "GET")
def department_simplelist(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    root = _int(q.get("id"), "id", 1)
    if root not in world.departments:
        raise ApiError(60123, f"invalid party id: {root}")
    deps = [world.departments[i] for i in world.department_tree(root)]
    return {"department_id": [{"id": d.id, "parentid": d.parentid, "order": d.order} for d in deps]}


def _users_of(world: World, q: dict[str, str]) -> list[Any]:
    dep = _int(q.get("department_id"), "department_id", 0)
    if dep not in world.departments:
        raise ApiError(60123, f"invalid party id: {dep}")
    scope = set(world.department_tree(dep)) if _int(q.get("fetch_child"), "fetch_child") else {dep}
    return [e for e in world.employees.values() if scope.intersection(e.department)]


@route("user/list", "GET")
def user_list(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return {"userlist": [world.employee_json(e) for e in _users_of(world, q)]}


@route("user/simplelist", "GET")
def user_simplelist(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    users = _users_of(world, q)
    return {
        "userlist": [
            {"userid": e.userid, "name": e.name, "department": e.department} for e in users
        ]
    }


@route("user/get", "GET")
def user_get(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return world.employee_json(world.employee(q.get("userid", "")))


# ---------------------------------------------------------------------- customers


@route("externalcontact/get_follow_user_list", "GET", contact=True)
def follow_user_list(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    return {"follow_user": [u for u, e in world.employees.items() if e.contact_enabled]}


@route("externalcontact/list", "GET", contact=True)
def external_list(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    userid = q.get("userid", "")
    world.employee(userid)
    return {"external_userid": list(world.by_employee.get(userid, {}))}


@route("externalcontact/get", "GET", contact=True)
def external_get(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    cust = world.customer(q.get("external_userid", ""))
    (start,) = _decode_cursor(q.get("cursor", ""), 1)
    rels = list(cust.follows.values())
    size = world.follow_page_size
    page = rels[start : start + size]
    reply: dict[str, Any] = {
        "external_contact": world.contact_json(cust),
        "follow_user": [world.follow_user_json(r) for r in page],
    }
    if start + size < len(rels):
        reply["next_cursor"] = _encode_cursor(start + size)
    return reply


@route("externalcontact/batch/get_by_user", contact=True)
def batch_get_by_user(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    userids = _str_list(body, "userid_list")
    if not userids and body.get("userid"):
        userids = [str(body["userid"])]  # legacy single userid (wechatpy, old SDKs)
    if not userids:
        raise ApiError(INVALID, "userid_list is empty")
    if len(userids) > 100:
        raise ApiError(INVALID, "userid_list exceeds 100")
    if not any(u in world.employees for u in userids):
        raise ApiError(60111, "userid not found")
    limit = _int(body.get("limit"), "limit", 50)
    limit = 50 if limit <= 0 else min(limit, 100)
    ui, pos = _decode_cursor(str(body.get("cursor") or ""), 2)
    items: list[dict[str, Any]] = []
    next_cursor = ""
    while ui < len(userids):
        userid = userids[ui]
        ext_ids = list(world.by_employee.get(userid, {}))
        while pos < len(ext_ids) and len(items) < limit:
            cust = world.customers[ext_ids[pos]]
            items.append(
                {
                    "external_contact": world.contact_json(cust),
                    "follow_info": world.follow_info_json(cust.follows[userid]),
                }
            )
            pos += 1
        if pos >= len(ext_ids):
            ui, pos = ui + 1, 0
        if len(items) >= limit:
            break
    if ui < len(userids):
        next_cursor = _encode_cursor(ui, pos)
    return {"external_contact_list": items, "next_cursor": next_cursor}


@route("externalcontact/remark", contact=True)
def remark(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    """As WeCom documents it (https://developer.work.weixin.qq.com/document/path/92115):
    remark and remark_company at most 20 characters, description at most 150; not all of
    remark, description, remark_company, remark_mobiles and remark_pic_mediaid empty;
    remark_mobiles replaces the old numbers and ``[""]`` clears them; remark_company only
    takes effect when the customer is a WeChat user (type 1)."""
    rel = world.follow(str(body.get("userid", "")), str(body.get("external_userid", "")))
    cust = world.customer(str(body.get("external_userid", "")))
    keys = ("remark", "description", "remark_company", "remark_mobiles", "remark_pic_mediaid")
    if all(body.get(k) in (None, "", []) for k in keys):
        raise ApiError(INVALID, "remark, description, remark_company, remark_mobiles all empty")
    new_remark = _check_len(body.get("remark"), 20, "remark")
    new_desc = _check_len(body.get("description"), 150, "description")
    company = _check_len(body.get("remark_company"), 20, "remark_company")
    mobiles = _str_list(body, "remark_mobiles") if "remark_mobiles" in body else None
    if "remark" in body:
        rel.remark = new_remark
    if "description" in body:
        rel.description = new_desc
    if "remark_company" in body and cust.type == 1:
        rel.remark_corp_name = company
    if mobiles:  # an empty list changes nothing; [""] clears
        rel.remark_mobiles = [m for m in mobiles if m]
    return {}


# ---------------------------------------------------------------------- corp tags


@route("externalcontact/get_corp_tag_list", contact=True)
def get_corp_tag_list(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    group_ids = _str_list(body, "group_id")
    tag_ids = _str_list(body, "tag_id")
    groups = sorted(world.tag_groups.values(), key=lambda g: -g.order)
    if group_ids:  # group_id wins over tag_id, as in WeCom
        return {"tag_group": [world.tag_group_json(g) for g in groups if g.group_id in group_ids]}
    if tag_ids:
        only = set(tag_ids)
        return {
            "tag_group": [
                world.tag_group_json(g, only) for g in groups if only.intersection(g.tags)
            ]
        }
    return {"tag_group": [world.tag_group_json(g) for g in groups]}


def create_tags(
    world: World,
    *,
    group_id: str | None,
    group_name: str | None,
    order: int,
    names: list[tuple[str, int]],
) -> tuple[TagGroup, list[Tag], bool]:
    """Create tags (and their group); returns (group, the tags asked for, group was new)."""
    if not names:
        raise ApiError(INVALID, "tag list is empty: empty groups are not allowed")
    for name, _ in names:
        if not name or len(name) > 30:
            raise ApiError(40071, f"invalid tag name: {name!r} (1-30 characters)")
    now = int(world.now())
    new_group = False
    if group_id:
        group = world.tag_groups.get(group_id)
        if group is None:
            raise ApiError(40068, f"invalid tag group id: {group_id}")
    else:
        gname = _check_len(group_name, 30, "group_name", 40071)
        if not gname:
            raise ApiError(INVALID, "group_id or group_name required")
        found = [g for g in world.tag_groups.values() if g.group_name == gname]
        if found:
            group = found[0]
        else:
            group = TagGroup(world.new_id("et", 20), gname, now, order)
            new_group = True
    fresh = {n for n, _ in names if all(t.name != n for t in group.tags.values())}
    if world.corp_tag_count() + len(fresh) > world.max_corp_tags:
        raise ApiError(INVALID, f"corp tags would exceed {world.max_corp_tags}")
    if new_group:
        world.tag_groups[group.group_id] = group
    out: list[Tag] = []
    for name, tag_order in names:
        tag = next((t for t in group.tags.values() if t.name == name), None)
        if tag is None:
            tag = Tag(world.new_id("et", 20), name, now, tag_order, group.group_id)
            group.tags[tag.id] = tag
            world.tags[tag.id] = tag
        if tag not in out:
            out.append(tag)
    return group, out, new_group


@route("externalcontact/add_corp_tag", contact=True)
def add_corp_tag(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    raw = body.get("tag") or []
    if not isinstance(raw, list):
        raise ApiError(INVALID, "tag must be a list")
    names = [
        (str(t.get("name", "")), _int(t.get("order"), "order")) for t in raw if isinstance(t, dict)
    ]
    group, tags, _ = create_tags(
        world,
        group_id=body.get("group_id"),
        group_name=body.get("group_name"),
        order=_int(body.get("order"), "order"),
        names=names,
    )
    reply = world.tag_group_json(group, {t.id for t in tags})
    return {"tag_group": reply}


def rename_tag(world: World, id: str, name: str | None, order: int | None) -> str:
    """Edit a tag or a group; returns "tag" or "tag_group"."""
    if name is not None:
        name = _check_len(name, 30, "name", 40071)
        if not name:
            raise ApiError(40071, "name is empty")
    if id in world.tags:
        tag = world.tags[id]
        siblings = world.tag_groups[tag.group_id].tags.values()
        if name and any(t.name == name and t.id != id for t in siblings):
            raise ApiError(40071, f"tag name already exists: {name}")
        tag.name = name or tag.name
        tag.order = tag.order if order is None else order
        return "tag"
    if id in world.tag_groups:
        group = world.tag_groups[id]
        if name and any(
            g.group_name == name and g.group_id != id for g in world.tag_groups.values()
        ):
            raise ApiError(40071, f"tag group name already exists: {name}")
        group.group_name = name or group.group_name
        group.order = group.order if order is None else order
        return "tag_group"
    raise ApiError(40068, f"invalid tag id: {id}")


@route("externalcontact/edit_corp_tag", contact=True)
def edit_corp_tag(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    order = body.get("order")
    rename_tag(
        world,
        str(body.get("id", "")),
        body.get("name"),
        None if order is None else _int(order, "order"),
    )
    return {}


def delete_tags(world: World, tag_ids: list[str], group_ids: list[str]) -> None:
    if not tag_ids and not group_ids:
        raise ApiError(INVALID, "tag_id and group_id are both empty")
    for tid in tag_ids:
        if tid not in world.tags:
            raise ApiError(40068, f"invalid tag id: {tid}")
    for gid in group_ids:
        if gid not in world.tag_groups:
            raise ApiError(40068, f"invalid tag group id: {gid}")
    doomed = set(tag_ids)
    for gid in group_ids:
        doomed.update(world.tag_groups[gid].tags)
    for tid in doomed:
        tag = world.tags.pop(tid)
        group = world.tag_groups.get(tag.group_id)
        if group is not None:
            group.tags.pop(tid, None)
            if not group.tags:  # a group with no tags left is deleted
                del world.tag_groups[group.group_id]
    for cust in world.customers.values():
        for rel in cust.follows.values():
            if doomed.intersection(rel.tag_ids):
                rel.tag_ids = [t for t in rel.tag_ids if t not in doomed]


@route("externalcontact/del_corp_tag", contact=True)
def del_corp_tag(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    delete_tags(world, _str_list(body, "tag_id"), _str_list(body, "group_id"))
    return {}


def apply_tags(
    world: World, userid: str, external_userid: str, add: list[str], remove: list[str]
) -> None:
    rel = world.follow(userid, external_userid)
    for tid in (*add, *remove):
        if tid not in world.tags:
            raise ApiError(40068, f"invalid tag id: {tid}")
    rel.tag_ids = [t for t in rel.tag_ids if t not in remove]
    rel.tag_ids.extend(t for t in dict.fromkeys(add) if t not in rel.tag_ids)


@route("externalcontact/mark_tag", contact=True)
def mark_tag(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    add, remove = _str_list(body, "add_tag"), _str_list(body, "remove_tag")
    if not add and not remove:
        raise ApiError(INVALID, "add_tag and remove_tag are both empty")
    apply_tags(
        world, str(body.get("userid", "")), str(body.get("external_userid", "")), add, remove
    )
    return {}


# ---------------------------------------------------------------------- welcome, groups


@route("externalcontact/send_welcome_msg", contact=True)
def send_welcome_msg(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    code = world.welcome_codes.get(str(body.get("welcome_code") or ""))
    if code is None:
        raise ApiError(41051, "invalid welcome_code")
    if code.used:
        raise ApiError(41051, "welcome_code already used")
    if world.now() - code.created > WELCOME_CODE_TTL:
        raise ApiError(41051, "welcome_code expired (valid 20 s)")
    text = (body.get("text") or {}).get("content", "") if isinstance(body.get("text"), dict) else ""
    attachments = body.get("attachments") or []
    if not text and not attachments:
        raise ApiError(INVALID, "text and attachments are both empty")
    if len(str(text).encode()) > 4000:
        raise ApiError(INVALID, "text.content exceeds 4000 bytes")
    if not isinstance(attachments, list) or len(attachments) > 9:
        raise ApiError(INVALID, "at most 9 attachments")
    code.used = True
    world.welcome_messages.append(
        {
            "welcome_code": code.code,
            "userid": code.userid,
            "external_userid": code.external_userid,
            "text": text,
            "attachments": attachments,
            "sent_at": int(world.now()),
        }
    )
    return {}


@route("externalcontact/groupchat/list", contact=True)
def groupchat_list(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    limit = _int(body.get("limit"), "limit", 0)
    if limit < 1:
        raise ApiError(INVALID, "limit is required (1-1000)")
    limit = min(limit, 1000)
    status = _int(body.get("status_filter"), "status_filter")
    owner_filter = body.get("owner_filter") or {}
    owners = _str_list(owner_filter, "userid_list") if isinstance(owner_filter, dict) else []
    if len(owners) > 100:
        raise ApiError(INVALID, "owner_filter.userid_list exceeds 100")
    if not owners and len(world.employees) > 1000:
        raise ApiError(81017, "owner_filter required when more than 1000 users are visible")
    chats = [
        c
        for c in world.chats.values()
        if (not owners or c.owner in owners) and (status == 0 or c.status == status)
    ]
    (start,) = _decode_cursor(str(body.get("cursor") or ""), 1)
    page = chats[start : start + limit]
    nxt = _encode_cursor(start + limit) if start + limit < len(chats) else ""
    return {
        "group_chat_list": [{"chat_id": c.chat_id, "status": c.status} for c in page],
        "next_cursor": nxt,
    }


@route("externalcontact/groupchat/get", contact=True)
def groupchat_get(world: World, q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    chat = world.chats.get(str(body.get("chat_id") or ""))
    if chat is None:
        raise ApiError(40050, "invalid chat_id")
    return {"group_chat": world.chat_json(chat, bool(_int(body.get("need_name"), "need_name")))}
