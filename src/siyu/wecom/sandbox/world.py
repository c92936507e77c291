"""The sandbox's world: one corp's departments, employees, customers, tags and group chats.

Everything lives in memory behind one re-entrant lock (:attr:`World.lock`); callers hold it
around any read-modify-write. The JSON helpers render records exactly as WeCom's API does.
"""

from __future__ import annotations

import hashlib
import json
import random
import string
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

ID_ALPHABET = string.ascii_letters + string.digits
WELCOME_CODE_TTL = 20.0


class ApiError(Exception):
    """A WeCom error reply: rendered as HTTP 200 ``{errcode, errmsg}``."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass
class Department:
    id: int
    name: str
    parentid: int
    order: int
    name_en: str = ""
    department_leader: list[str] = field(default_factory=list)


@dataclass
class Employee:
    userid: str
    name: str
    department: list[int]
    main_department: int
    position: str
    mobile: str
    gender: str
    email: str
    alias: str = ""
    status: int = 1
    contact_enabled: bool = True


@dataclass
class Follow:
    userid: str
    remark: str = ""
    description: str = ""
    createtime: int = 0
    tag_ids: list[str] = field(default_factory=list)
    remark_corp_name: str = ""
    remark_mobiles: list[str] = field(default_factory=list)
    oper_userid: str = ""
    add_way: int = 1
    state: str = ""


@dataclass
class Customer:
    external_userid: str
    name: str
    type: int = 1
    gender: int = 0
    avatar: str = ""
    unionid: str = ""
    corp_name: str = ""
    corp_full_name: str = ""
    position: str = ""
    follows: dict[str, Follow] = field(default_factory=dict)


@dataclass
class Tag:
    id: str
    name: str
    create_time: int
    order: int
    group_id: str


@dataclass
class TagGroup:
    group_id: str
    group_name: str
    create_time: int
    order: int
    tags: dict[str, Tag] = field(default_factory=dict)


@dataclass
class ChatMember:
    userid: str
    type: int
    join_time: int
    join_scene: int
    invitor: str = ""
    group_nickname: str = ""
    name: str = ""
    unionid: str = ""
    state: str = ""


@dataclass
class GroupChat:
    chat_id: str
    name: str
    owner: str
    create_time: int
    notice: str = ""
    members: dict[str, ChatMember] = field(default_factory=dict)
    admins: list[str] = field(default_factory=list)
    status: int = 0


@dataclass
class WelcomeCode:
    code: str
    userid: str
    external_userid: str
    created: float
    used: bool = False


class World:
    """The state of one sandbox corp. Hold :attr:`lock` around every access."""

    def __init__(
        self,
        *,
        corp_id: str,
        secret: str,
        agent_id: int = 1000002,
        token_ttl: int = 7200,
        seed: int = 1,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lock = threading.RLock()
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.token_ttl = token_ttl
        self.contact_permission = True
        self.follow_page_size = 500
        self.max_corp_tags = 3000
        self.rng = random.Random(f"{seed}:runtime")
        self._clock = clock
        self.clock_offset = 0.0
        self.departments: dict[int, Department] = {}
        self.employees: dict[str, Employee] = {}
        self.customers: dict[str, Customer] = {}
        self.by_employee: dict[str, dict[str, None]] = {}
        self.tag_groups: dict[str, TagGroup] = {}
        self.tags: dict[str, Tag] = {}
        self.chats: dict[str, GroupChat] = {}
        self.tokens: dict[str, float] = {}
        self.welcome_codes: dict[str, WelcomeCode] = {}
        self.welcome_messages: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ time and ids

    def now(self) -> float:
        return self._clock() + self.clock_offset

    def new_id(self, prefix: str, length: int, rng: random.Random | None = None) -> str:
        r = rng or self.rng
        return prefix + "".join(r.choices(ID_ALPHABET, k=length))

    # ------------------------------------------------------------------ tokens

    def issue_token(self) -> str:
        token = self.new_id("", 64) + "-" + self.new_id("", 40)
        self.tokens[token] = self.now() + self.token_ttl
        return token

    def check_token(self, token: str | None) -> None:
        if not token:
            raise ApiError(41001, "access_token missing")
        expires = self.tokens.get(token)
        if expires is None:
            raise ApiError(40014, "invalid access_token")
        if expires <= self.now():
            raise ApiError(42001, "access_token expired")

    def expire_tokens(self) -> None:
        for token in self.tokens:
            self.tokens[token] = 0.0

    # ------------------------------------------------------------------ lookups

    def employee(self, userid: str) -> Employee:
        emp = self.employees.get(userid or "")
        if emp is None:
            raise ApiError(60111, f"userid not found: {userid}")
        return emp

    def customer(self, external_userid: str) -> Customer:
        cust = self.customers.get(external_userid or "")
        if cust is None:
            raise ApiError(40096, f"invalid external_userid: {external_userid}")
        return cust

    def follow(self, userid: str, external_userid: str) -> Follow:
        self.employee(userid)
        cust = self.customer(external_userid)
        rel = cust.follows.get(userid)
        if rel is None:
            raise ApiError(84061, "not external contact")
        return rel

    def add_follow(self, cust: Customer, rel: Follow) -> None:
        cust.follows[rel.userid] = rel
        self.by_employee.setdefault(rel.userid, {})[cust.external_userid] = None

    def remove_follow(self, cust: Customer, userid: str) -> Follow | None:
        rel = cust.follows.pop(userid, None)
        self.by_employee.get(userid, {}).pop(cust.external_userid, None)
        return rel

    def department_tree(self, root: int) -> list[int]:
        """``root`` and all its descendants, parents first."""
        children: dict[int, list[int]] = {}
        for dep in self.departments.values():
            children.setdefault(dep.parentid, []).append(dep.id)
        out, todo = [], [root]
        while todo:
            cur = todo.pop(0)
            out.append(cur)
            todo.extend(sorted(children.get(cur, []), key=lambda i: self.departments[i].order))
        return out

    # ------------------------------------------------------------------ WeCom JSON

    def department_json(self, dep: Department) -> dict[str, Any]:
        return asdict(dep)

    def employee_json(self, emp: Employee) -> dict[str, Any]:
        data = asdict(emp)
        data.pop("contact_enabled")
        data["order"] = [0] * len(emp.department)
        data["is_leader_in_dept"] = [0] * len(emp.department)
        data["avatar"] = f"https://wework.qpic.cn/wwhead/{emp.userid}/0"
        return data

    def contact_json(self, cust: Customer) -> dict[str, Any]:
        data: dict[str, Any] = {
            "external_userid": cust.external_userid,
            "name": cust.name,
            "type": cust.type,
            "gender": cust.gender,
            "avatar": cust.avatar,
        }
        if cust.unionid:
            data["unionid"] = cust.unionid
        if cust.type == 2:
            data["position"] = cust.position
            data["corp_name"] = cust.corp_name
            data["corp_full_name"] = cust.corp_full_name
        return data

    def _follow_common(self, rel: Follow) -> dict[str, Any]:
        data: dict[str, Any] = {
            "userid": rel.userid,
            "remark": rel.remark,
            "description": rel.description,
            "createtime": rel.createtime,
            "remark_corp_name": rel.remark_corp_name,
            "remark_mobiles": list(rel.remark_mobiles),
            "oper_userid": rel.oper_userid or rel.userid,
            "add_way": rel.add_way,
        }
        if rel.state:
            data["state"] = rel.state
        return data

    def follow_user_json(self, rel: Follow) -> dict[str, Any]:
        """A relation as ``externalcontact/get`` shows it (tags with names)."""
        data = self._follow_common(rel)
        tags = []
        for tid in rel.tag_ids:
            tag = self.tags.get(tid)
            if tag is not None:
                group = self.tag_groups[tag.group_id]
                tags.append(
                    {"group_name": group.group_name, "tag_name": tag.name, "tag_id": tid, "type": 1}
                )
        data["tags"] = tags
        return data

    def follow_info_json(self, rel: Follow) -> dict[str, Any]:
        """A relation as ``batch/get_by_user`` shows it (tag ids only)."""
        data = self._follow_common(rel)
        data["tag_id"] = list(rel.tag_ids)
        return data

    def tag_group_json(self, group: TagGroup, only: set[str] | None = None) -> dict[str, Any]:
        tags = [
            {"id": t.id, "name": t.name, "create_time": t.create_time, "order": t.order}
            for t in group.tags.values()
            if only is None or t.id in only
        ]
        return {
            "group_id": group.group_id,
            "group_name": group.group_name,
            "create_time": group.create_time,
            "order": group.order,
            "tag": tags,
        }

    def chat_json(self, chat: GroupChat, need_name: bool = True) -> dict[str, Any]:
        members = []
        for m in chat.members.values():
            item: dict[str, Any] = {
                "userid": m.userid,
                "type": m.type,
                "join_time": m.join_time,
                "join_scene": m.join_scene,
                "group_nickname": m.group_nickname,
            }
            if m.invitor:
                item["invitor"] = {"userid": m.invitor}
            if need_name:
                item["name"] = m.name
            if m.type == 2 and m.unionid:
                item["unionid"] = m.unionid
            if m.state:
                item["state"] = m.state
            members.append(item)
        return {
            "chat_id": chat.chat_id,
            "name": chat.name,
            "owner": chat.owner,
            "create_time": chat.create_time,
            "notice": chat.notice,
            "member_list": members,
            "admin_list": [{"userid": u} for u in chat.admins],
        }

    def customer_record(self, cust: Customer) -> dict[str, Any]:
        """The full record as the sandbox sees it (control API)."""
        data = asdict(cust)
        data["follows"] = [self.follow_user_json(r) for r in cust.follows.values()]
        return data

    def corp_tag_count(self) -> int:
        return len(self.tags)

    def fingerprint(self) -> str:
        """A digest of the whole world; equal worlds give equal fingerprints."""
        h = hashlib.sha256()
        for part in (self.departments, self.employees, self.customers, self.tag_groups):
            for key, value in part.items():
                h.update(json.dumps([key, asdict(value)], sort_keys=True, default=str).encode())
        for chat in self.chats.values():
            h.update(json.dumps(asdict(chat), sort_keys=True).encode())
        return h.hexdigest()

    def counts(self) -> dict[str, int]:
        return {
            "departments": len(self.departments),
            "employees": len(self.employees),
            "customers": len(self.customers),
            "follow_relations": sum(len(v) for v in self.by_employee.values()),
            "tag_groups": len(self.tag_groups),
            "tags": len(self.tags),
            "group_chats": len(self.chats),
        }
