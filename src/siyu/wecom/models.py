"""Pydantic models of WeCom payloads.

Field names mirror WeCom's JSON exactly (``createtime``, ``tag_id``, ``add_way``...). Every model
keeps unknown fields (``extra="allow"``) so nothing WeCom adds is lost.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BatchItem",
    "BatchPage",
    "CorpTag",
    "CorpTagGroup",
    "Department",
    "ExternalContact",
    "ExternalContactDetail",
    "FollowInfo",
    "FollowTag",
    "FollowUser",
    "GroupAdmin",
    "GroupChat",
    "GroupChatPage",
    "GroupChatRef",
    "GroupMember",
    "Invitor",
    "User",
]


class WeComModel(BaseModel):
    """Base of every WeCom payload model."""

    model_config = ConfigDict(extra="allow")


class Department(WeComModel):
    """One entry of ``department/list``."""

    id: int
    name: str = ""
    name_en: str | None = None
    department_leader: list[str] = Field(default_factory=list)
    parentid: int = 0
    order: int = 0


class User(WeComModel):
    """One member of ``user/list`` / ``user/get``."""

    userid: str
    name: str = ""
    department: list[int] = Field(default_factory=list)
    order: list[int] = Field(default_factory=list)
    position: str = ""
    mobile: str | None = None
    gender: str | None = None
    email: str | None = None
    is_leader_in_dept: list[int] = Field(default_factory=list)
    avatar: str | None = None
    alias: str = ""
    status: int = 1
    main_department: int | None = None


class ExternalContact(WeComModel):
    """A customer as WeCom describes it (``external_contact``)."""

    external_userid: str
    name: str = ""
    type: int = 1
    gender: int = 0
    avatar: str = ""
    position: str | None = None
    corp_name: str | None = None
    corp_full_name: str | None = None
    unionid: str | None = None
    external_profile: dict[str, Any] | None = None


class FollowTag(WeComModel):
    """A tag an employee put on a customer (``follow_user[].tags[]``)."""

    group_name: str = ""
    tag_name: str = ""
    tag_id: str | None = None
    type: int = 1


class _FollowBase(WeComModel):
    userid: str
    remark: str = ""
    description: str = ""
    createtime: int = 0
    remark_corp_name: str = ""
    remark_mobiles: list[str] = Field(default_factory=list)
    oper_userid: str = ""
    add_way: int = 0
    state: str = ""


class FollowUser(_FollowBase):
    """One follow relation in ``externalcontact/get`` (with tag names)."""

    tags: list[FollowTag] = Field(default_factory=list)


class FollowInfo(_FollowBase):
    """One follow relation in ``batch/get_by_user`` (tag ids only)."""

    tag_id: list[str] = Field(default_factory=list)


class ExternalContactDetail(WeComModel):
    """``externalcontact/get``: the customer and every follow relation (all pages merged)."""

    external_contact: ExternalContact
    follow_user: list[FollowUser] = Field(default_factory=list)


class BatchItem(WeComModel):
    """One entry of ``external_contact_list`` in ``batch/get_by_user``."""

    external_contact: ExternalContact
    follow_info: FollowInfo


class BatchPage(WeComModel):
    """One page of ``batch/get_by_user``.

    ``userids`` is the chunk of userids the page was requested for, ``offset`` its index in the
    list passed to ``iter_batch_get_by_user``; ``cursor`` the cursor sent and ``next_cursor``
    the one WeCom returned ("" = this chunk is done). :meth:`resume_point` gives where to
    continue after this page.
    """

    items: list[BatchItem] = Field(default_factory=list)
    next_cursor: str = ""
    cursor: str = ""
    userids: list[str] = Field(default_factory=list)
    offset: int = 0

    def resume_point(self) -> tuple[int, str]:
        """(index into the full userid list, cursor) to pass back to resume after this page."""
        if self.next_cursor:
            return self.offset, self.next_cursor
        return self.offset + len(self.userids), ""


class CorpTag(WeComModel):
    """A corp tag (``tag_group[].tag[]``)."""

    id: str
    name: str = ""
    create_time: int = 0
    order: int = 0
    deleted: bool = False


class CorpTagGroup(WeComModel):
    """A corp tag group with its tags."""

    group_id: str
    group_name: str = ""
    create_time: int = 0
    order: int = 0
    deleted: bool = False
    tag: list[CorpTag] = Field(default_factory=list)


class GroupChatRef(WeComModel):
    """One entry of ``groupchat/list``."""

    chat_id: str
    status: int = 0


class GroupChatPage(WeComModel):
    """One page of ``groupchat/list``."""

    chats: list[GroupChatRef] = Field(default_factory=list)
    next_cursor: str = ""


class Invitor(WeComModel):
    userid: str = ""


class GroupMember(WeComModel):
    """A member of a customer group chat (type 1 employee, 2 external)."""

    userid: str
    type: int = 1
    join_time: int = 0
    join_scene: int = 1
    invitor: Invitor | None = None
    group_nickname: str = ""
    name: str = ""
    unionid: str | None = None
    state: str | None = None

    @property
    def invitor_userid(self) -> str | None:
        return self.invitor.userid if self.invitor else None


class GroupAdmin(WeComModel):
    userid: str


class GroupChat(WeComModel):
    """``groupchat/get``'s ``group_chat``."""

    chat_id: str
    name: str = ""
    owner: str = ""
    create_time: int = 0
    notice: str = ""
    member_list: list[GroupMember] = Field(default_factory=list)
    admin_list: list[GroupAdmin] = Field(default_factory=list)
    member_version: str | None = None
