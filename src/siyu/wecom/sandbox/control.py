"""The sandbox control API at ``/sandbox/``: config, faults, stats, inspection and actors.

Actors are people acting in WeCom's apps (a customer scanning a code, an employee editing a
customer, an admin changing tags). Each changes the world and emits the encrypted callback
WeCom would send. ``?wait=true`` returns only once that callback was delivered or gave up.
See ``README.md`` next to this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import AliasChoices, BaseModel, Field

from siyu.wecom.sandbox import jssdk
from siyu.wecom.sandbox.api import apply_tags, create_tags, delete_tags, rename_tag
from siyu.wecom.sandbox.emitter import Delivery
from siyu.wecom.sandbox.seed import GIVEN, SURNAMES
from siyu.wecom.sandbox.world import ApiError, ChatMember, Customer, Follow, GroupChat, WelcomeCode

if TYPE_CHECKING:
    from siyu.wecom.sandbox.server import Sandbox

router = APIRouter(prefix="/sandbox", tags=["sandbox"])
CONTACT = "change_external_contact"


def _sb(request: Request) -> Sandbox:
    return request.app.state.sandbox  # type: ignore[no-any-return]


@contextmanager
def _acting(sandbox: Sandbox) -> Iterator[None]:
    """Hold the world lock; WeCom-style errors become HTTP 400, unknown ids 404."""
    try:
        with sandbox.world.lock:
            yield
    except ApiError as exc:
        status = 404 if exc.errcode in (60111, 40096, 40050, 40068, 84061) else 400
        raise HTTPException(status, {"errcode": exc.errcode, "errmsg": exc.errmsg}) from exc


def _finish(sandbox: Sandbox, delivery: Any, wait: bool, **extra: Any) -> dict[str, Any]:
    assert isinstance(delivery, Delivery)
    if wait:
        delivery.done.wait(sandbox.emitter.timeout * sandbox.emitter.attempts + 10)
    return {**extra, "delivery": delivery.as_json()}


# ---------------------------------------------------------------------- config and inspection


class ConfigPatch(BaseModel):
    callback_url: str | None = None
    token: str | None = None
    aes_key: str | None = Field(default=None, min_length=43, max_length=43)
    contact_permission: bool | None = None
    follow_page_size: int | None = Field(default=None, ge=1)
    #: False: the secret is no app's (the 客户联系 secret): ``ticket/get`` is refused
    secret_of_app: bool | None = None


@router.get("/info")
def info(request: Request) -> dict[str, Any]:
    sb = _sb(request)
    with sb.world.lock:
        return {
            "corp_id": sb.config.corp_id,
            "secret": sb.config.secret,
            "agent_id": sb.config.agent_id,
            "token": sb.config.token,
            "aes_key": sb.config.aes_key,
            "callback_url": sb.config.callback_url,
            "contact_permission": sb.world.contact_permission,
            "seed": sb.config.seed,
            "now": sb.world.now(),
            "counts": sb.world.counts(),
        }


@router.put("/config")
def put_config(patch: ConfigPatch, request: Request) -> dict[str, Any]:
    sb = _sb(request)
    with sb.world.lock:
        if "callback_url" in patch.model_fields_set:
            sb.config.callback_url = patch.callback_url or None
        if patch.token is not None:
            sb.config.token = patch.token
        if patch.aes_key is not None:
            sb.config.aes_key = patch.aes_key
        if patch.contact_permission is not None:
            sb.world.contact_permission = patch.contact_permission
        if patch.follow_page_size is not None:
            sb.world.follow_page_size = patch.follow_page_size
        if patch.secret_of_app is not None:
            jssdk.set_secret_of_app(sb.world, patch.secret_of_app)
    return info(request)


class ClockAdvance(BaseModel):
    #: also accepted as ``advance_seconds``
    seconds: float = Field(validation_alias=AliasChoices("seconds", "advance_seconds"), ge=0)


@router.post("/clock")
def advance_clock(body: ClockAdvance, request: Request) -> dict[str, float]:
    """Move the sandbox clock forward (welcome-code expiry, token expiry, transfer takeovers)
    without sleeping; takeovers that fall due run now (with their callbacks)."""
    from siyu.wecom.sandbox.transfers import settle

    sb = _sb(request)
    with sb.world.lock:
        sb.world.clock_offset += body.seconds
        settled = settle(sb)
        return {"now": sb.world.now(), "takeovers": settled}


@router.get("/fingerprint")
def fingerprint(request: Request) -> dict[str, str]:
    sb = _sb(request)
    with sb.world.lock:
        return {"fingerprint": sb.world.fingerprint()}


@router.get("/employees")
def employees(request: Request) -> list[dict[str, Any]]:
    sb = _sb(request)
    with sb.world.lock:
        w = sb.world
        return [
            {**w.employee_json(e), "customers": len(w.by_employee.get(e.userid, {}))}
            for e in w.employees.values()
        ]


@router.get("/customers/{external_userid}")
def customer(external_userid: str, request: Request) -> dict[str, Any]:
    sb = _sb(request)
    with _acting(sb):
        return sb.world.customer_record(sb.world.customer(external_userid))


@router.get("/welcome_messages")
def welcome_messages(request: Request) -> list[dict[str, Any]]:
    sb = _sb(request)
    with sb.world.lock:
        return list(sb.world.welcome_messages)


class FaultPatch(BaseModel):
    rate_limit: int | None = Field(default=None, ge=0)
    concurrency_limit: int | None = Field(default=None, ge=0)
    server_error: int | None = Field(default=None, ge=0)
    busy: int | None = Field(default=None, ge=0)
    latency_ms: int | None = Field(default=None, ge=0)
    expire_tokens: bool = False
    #: replace both jsapi tickets now, as if they had expired early
    rotate_jsapi_tickets: bool = False


@router.get("/faults")
def get_faults(request: Request) -> dict[str, Any]:
    return _sb(request).faults.snapshot()


@router.put("/faults")
def put_faults(patch: FaultPatch, request: Request) -> dict[str, Any]:
    sb = _sb(request)
    if patch.expire_tokens:
        with sb.world.lock:
            sb.world.expire_tokens()
    if patch.rotate_jsapi_tickets:
        with sb.world.lock:
            jssdk.rotate(sb.world)
    return sb.faults.set(**patch.model_dump(exclude={"expire_tokens", "rotate_jsapi_tickets"}))


@router.delete("/faults")
def clear_faults(request: Request) -> dict[str, Any]:
    return _sb(request).faults.clear()


@router.get("/stats")
def stats(request: Request) -> dict[str, int]:
    """API calls per path under /cgi-bin/ (faulted calls included)."""
    return _sb(request).faults.stats_snapshot()


@router.delete("/stats")
def reset_stats(request: Request) -> dict[str, int]:
    _sb(request).faults.reset_stats()
    return {}


@router.get("/callbacks")
def callbacks(request: Request) -> list[dict[str, Any]]:
    return _sb(request).emitter.listing()


@router.post("/callbacks/wait")
def wait_callbacks(request: Request, timeout: float = 10.0) -> dict[str, bool]:
    """Block until every queued callback was delivered or gave up."""
    return {"drained": _sb(request).emitter.wait(timeout)}


# ---------------------------------------------------------------------- actors: contacts


class AddCustomer(BaseModel):
    userid: str
    state: str | None = Field(default=None, max_length=30)
    external_userid: str | None = None
    name: str | None = None
    verify: bool = False
    add_way: int = 1
    welcome_code: bool = True


@router.post("/actors/add_customer")
def add_customer(body: AddCustomer, request: Request, wait: bool = False) -> dict[str, Any]:
    """A customer adds an employee (e.g. scans a 「联系我」 code with ``state``)."""
    sb = _sb(request)
    with _acting(sb):
        w = sb.world
        w.employee(body.userid)
        if body.external_userid:
            cust = w.customer(body.external_userid)
            if body.userid in cust.follows:
                raise HTTPException(409, "already a customer of this employee")
        else:
            name = body.name or w.rng.choice(SURNAMES)[0] + w.rng.choice(GIVEN)[0]
            cust = Customer(
                external_userid=w.new_id("wm", 30), name=name, gender=w.rng.choice([1, 2])
            )
            cust.avatar = f"https://wx.qlogo.cn/mmhead/{w.new_id('', 24)}/0"
            w.customers[cust.external_userid] = cust
        now = int(w.now())
        rel = Follow(
            userid=body.userid, createtime=now, add_way=body.add_way, state=body.state or ""
        )
        rel.oper_userid = cust.external_userid
        w.add_follow(cust, rel)
        code = ""
        if body.welcome_code:
            code = w.new_id("", 43)
            w.welcome_codes[code] = WelcomeCode(code, body.userid, cust.external_userid, w.now())
        change = "add_half_external_contact" if body.verify else "add_external_contact"
        delivery = sb.emit(
            CONTACT,
            ChangeType=change,
            UserID=body.userid,
            ExternalUserID=cust.external_userid,
            State=body.state or None,
            WelcomeCode=code or None,
        )
    return _finish(sb, delivery, wait, external_userid=cust.external_userid, welcome_code=code)


class Relation(BaseModel):
    userid: str
    external_userid: str


@router.post("/actors/customer_delete")
def customer_delete(body: Relation, request: Request, wait: bool = False) -> dict[str, Any]:
    """The customer deletes the employee: ``del_follow_user``."""
    sb = _sb(request)
    with _acting(sb):
        sb.world.follow(body.userid, body.external_userid)
        sb.world.remove_follow(sb.world.customer(body.external_userid), body.userid)
        delivery = sb.emit(
            CONTACT,
            ChangeType="del_follow_user",
            UserID=body.userid,
            ExternalUserID=body.external_userid,
        )
    return _finish(sb, delivery, wait)


class EmployeeDelete(Relation):
    source: str | None = None


@router.post("/actors/employee_delete")
def employee_delete(body: EmployeeDelete, request: Request, wait: bool = False) -> dict[str, Any]:
    """The employee deletes the customer: ``del_external_contact``."""
    sb = _sb(request)
    with _acting(sb):
        sb.world.follow(body.userid, body.external_userid)
        sb.world.remove_follow(sb.world.customer(body.external_userid), body.userid)
        delivery = sb.emit(
            CONTACT,
            ChangeType="del_external_contact",
            UserID=body.userid,
            ExternalUserID=body.external_userid,
            Source=body.source,
        )
    return _finish(sb, delivery, wait)


class EmployeeEdit(Relation):
    remark: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=150)
    add_tag: list[str] = Field(default_factory=list)
    remove_tag: list[str] = Field(default_factory=list)


@router.post("/actors/employee_edit")
def employee_edit(body: EmployeeEdit, request: Request, wait: bool = False) -> dict[str, Any]:
    """The employee edits remark / description / tags in the client: ``edit_external_contact``."""
    sb = _sb(request)
    with _acting(sb):
        rel = sb.world.follow(body.userid, body.external_userid)
        if body.add_tag or body.remove_tag:
            apply_tags(sb.world, body.userid, body.external_userid, body.add_tag, body.remove_tag)
        if body.remark is not None:
            rel.remark = body.remark
        if body.description is not None:
            rel.description = body.description
        rel.oper_userid = body.userid
        delivery = sb.emit(
            CONTACT,
            ChangeType="edit_external_contact",
            UserID=body.userid,
            ExternalUserID=body.external_userid,
        )
    return _finish(sb, delivery, wait)


class TransferFail(Relation):
    reason: Literal["customer_refused", "customer_limit_exceed"] = "customer_refused"


@router.post("/actors/transfer_fail")
def transfer_fail(body: TransferFail, request: Request, wait: bool = False) -> dict[str, Any]:
    """A customer transfer failed: ``transfer_fail`` (the relation stays)."""
    sb = _sb(request)
    with _acting(sb):
        sb.world.follow(body.userid, body.external_userid)
        delivery = sb.emit(
            CONTACT,
            ChangeType="transfer_fail",
            FailReason=body.reason,
            UserID=body.userid,
            ExternalUserID=body.external_userid,
        )
    return _finish(sb, delivery, wait)


# ---------------------------------------------------------------------- actors: tags, groups


class TagAction(BaseModel):
    action: Literal["create", "update", "delete", "shuffle"]
    id: str | None = None
    group_id: str | None = None
    group_name: str | None = None
    tags: list[str] = Field(default_factory=list)
    name: str | None = None
    order: int | None = None


@router.post("/actors/tag")
def tag_actor(body: TagAction, request: Request, wait: bool = False) -> dict[str, Any]:
    """An admin changes corp tags in the admin console: ``change_external_tag``."""
    sb = _sb(request)
    with _acting(sb):
        w = sb.world
        ids: list[tuple[str, str]] = []
        if body.action == "create":
            names = [(n, 0) for n in body.tags]
            group, tags, new_group = create_tags(
                w, group_id=body.group_id, group_name=body.group_name, order=0, names=names
            )
            ids = [(group.group_id, "tag_group")] if new_group else [(t.id, "tag") for t in tags]
        elif body.action == "update":
            ids = [(body.id or "", rename_tag(w, body.id or "", body.name, body.order))]
        elif body.action == "delete":
            kind = "tag" if body.id in w.tags else "tag_group"
            tag_ids, group_ids = ([body.id or ""], []) if kind == "tag" else ([], [body.id or ""])
            delete_tags(w, tag_ids, group_ids)
            ids = [(body.id or "", kind)]
        else:
            gid = body.group_id or body.id or ""
            target = w.tag_groups.get(gid)
            if target is None:
                raise ApiError(40068, f"invalid tag group id: {gid}")
            tags = list(target.tags.values())
            w.rng.shuffle(tags)
            for order, tag in enumerate(tags):
                tag.order = order
            delivery = sb.emit("change_external_tag", Id=gid, ChangeType="shuffle", StrategyId=None)
            return _finish(sb, delivery, wait, ids=[gid])
        deliveries = [
            sb.emit("change_external_tag", Id=i, TagType=kind, ChangeType=body.action)
            for i, kind in ids
        ]
    for d in deliveries[:-1]:
        if wait:
            assert isinstance(d, Delivery)
            d.done.wait(sb.emitter.timeout * sb.emitter.attempts + 10)
    return _finish(sb, deliveries[-1], wait, ids=[i for i, _ in ids])


class GroupAction(BaseModel):
    action: Literal["create", "join", "leave", "rename", "dismiss"]
    chat_id: str | None = None
    owner: str | None = None
    name: str | None = None
    members: list[str] = Field(default_factory=list)
    join_scene: Literal[0, 3] = 0
    quit_scene: Literal[0, 1] = 0
    state: str | None = Field(default=None, max_length=30)


def _member(sb: Sandbox, chat: GroupChat, who: str, scene: int, state: str) -> ChatMember:
    w = sb.world
    now = int(w.now())
    if who in w.employees:
        return ChatMember(who, 1, now, 1, chat.owner, "", w.employees[who].name, "", state)
    cust = w.customer(who)
    invitor = "" if scene == 3 else chat.owner
    return ChatMember(
        who, 2, now, 3 if scene == 3 else 1, invitor, "", cust.name, cust.unionid, state
    )


@router.post("/actors/group")
def group_actor(body: GroupAction, request: Request, wait: bool = False) -> dict[str, Any]:
    """Customer group chats change: ``change_external_chat``."""
    sb = _sb(request)
    with _acting(sb):
        w = sb.world
        state = body.state or ""
        if body.action == "create":
            owner = w.employee(body.owner or "")
            chat = GroupChat(w.new_id("wr", 30), body.name or "", owner.userid, int(w.now()))
            chat.members[owner.userid] = _member(sb, chat, owner.userid, 0, "")
            for who in body.members:
                chat.members[who] = _member(sb, chat, who, body.join_scene, state)
            w.chats[chat.chat_id] = chat
            delivery = sb.emit("change_external_chat", ChatId=chat.chat_id, ChangeType="create")
            return _finish(sb, delivery, wait, chat_id=chat.chat_id)
        chat_id = body.chat_id or ""
        chat_or_none = w.chats.get(chat_id)
        if chat_or_none is None:
            raise ApiError(40050, f"invalid chat_id: {chat_id}")
        chat = chat_or_none
        fields: dict[str, Any] = {"ChatId": chat_id, "ChangeType": "update"}
        if body.action == "join":
            added = [m for m in body.members if m not in chat.members]
            for who in added:
                chat.members[who] = _member(sb, chat, who, body.join_scene, state)
            fields.update(UpdateDetail="add_member", JoinScene=body.join_scene)
            fields.update(MemChangeCnt=len(added), MemChangeList=added)
        elif body.action == "leave":
            gone = [m for m in body.members if chat.members.pop(m, None) is not None]
            fields.update(UpdateDetail="del_member", QuitScene=body.quit_scene)
            fields.update(MemChangeCnt=len(gone), MemChangeList=gone)
        elif body.action == "rename":
            chat.name = body.name or ""
            fields.update(UpdateDetail="change_name")
        else:
            del w.chats[chat_id]
            fields = {"ChatId": chat_id, "ChangeType": "dismiss"}
        delivery = sb.emit("change_external_chat", **fields)
    return _finish(sb, delivery, wait, chat_id=chat_id)
