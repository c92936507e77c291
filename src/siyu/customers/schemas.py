"""Customer API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from siyu.core.bounds import Id, Int32
from siyu.core.export import Time
from siyu.core.times import Zoned

Sort = Literal["-added_at", "added_at", "-id", "id"]


class CustomerFilter(BaseModel):
    """Filters of the customer list (all optional; combined with AND)."""

    tags_any: list[str] = Field(
        default_factory=list, description="has at least one of these tag ids"
    )
    tags_all: list[str] = Field(default_factory=list, description="has every one of these tag ids")
    tags_none: list[str] = Field(default_factory=list, description="has none of these tag ids")
    userid: str | None = Field(default=None, description="followed (live) by this employee")
    add_way: Int32 | None = None
    state: str | None = Field(default=None, description="channel state of a follow relation")
    added_from: Zoned | None = Field(default=None, description="first added at or after")
    added_to: Zoned | None = Field(default=None, description="first added before")
    keyword: str | None = Field(default=None, max_length=50, description="name or remark contains")
    stage_id: Id | None = Field(default=None, description="currently at this lifecycle stage")
    include_deleted: bool = False

    @model_validator(mode="after")
    def _range(self) -> CustomerFilter:
        if self.added_from and self.added_to and self.added_from >= self.added_to:
            raise ValueError("added_from must be before added_to")
        return self


class TagRef(BaseModel):
    tag_id: str
    name: str = ""
    group_name: str = ""


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_userid: str
    name: str
    avatar: str
    type: int
    gender: int
    corp_name: str
    unionid: str
    first_added_at: datetime | None
    deleted_at: datetime | None
    userids: list[str] = Field(default_factory=list, description="employees following (live)")
    employee_names: list[str] = Field(
        default_factory=list, description="their names, in the order of userids"
    )
    tags: list[TagRef] = Field(default_factory=list, description="union over live relations")
    remarks: list[str] = Field(default_factory=list)
    stage_id: int | None = Field(default=None, description="current lifecycle stage")
    stage_name: str = ""
    stage_kind: str = ""


class RelationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    userid: str
    employee_name: str = ""
    remark: str
    description: str
    remark_corp_name: str
    remark_mobiles: list[str]
    add_way: int
    state: str
    channel_name: str = Field(default="", description="the channel code of ``state``, by name")
    oper_userid: str
    added_at: datetime | None
    deleted_at: datetime | None
    deleted_by: str | None
    tags: list[TagRef] = Field(default_factory=list)


class TimelineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    userid: str
    actor: str = Field(
        default="", description="the employee's name (department beside a shared name)"
    )
    occurred_at: datetime
    data: dict[str, Any] = Field(
        description="kind-specific facts; names are added beside ids "
        "(tag_name and tag_group for tag ids, previous_name, owner_name)"
    )


class CustomerDetail(CustomerOut):
    relations: list[RelationOut] = Field(default_factory=list)
    timeline: list[TimelineOut] = Field(default_factory=list)


class RemarkIn(BaseModel):
    userid: str
    remark: str | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=150)


EXPORT_HEADERS = [  # the customer export's columns (customers and segments)
    "ID",
    "external_userid",
    "姓名",
    "类型",
    "性别",
    "企业",
    Time("首次添加时间"),
    Time("流失时间"),
    "跟进员工",
    "标签",
    "备注",
    "客户阶段",
]


GENDERS = {1: "男", 2: "女"}  # WeCom's gender codes (0: unknown)


def export_row(c: CustomerOut) -> list[Any]:
    """One customer as a row of the export (``EXPORT_HEADERS``)."""
    return export_values(
        c.id,
        c.external_userid,
        c.name,
        c.type,
        c.gender,
        c.corp_name,
        c.first_added_at,
        c.deleted_at,
        c.employee_names or c.userids,
        [t.name or t.tag_id for t in c.tags],
        c.remarks,
        c.stage_name,
    )


def export_values(
    id: int,
    external_userid: str,
    name: str,
    type: int,
    gender: int,
    corp_name: str,
    first_added_at: datetime | None,
    deleted_at: datetime | None,
    employees: list[str],
    tags: list[str],
    remarks: list[str],
    stage_name: str,
) -> list[Any]:
    """The export row of a customer's values (``export_row``; and the customer list's export,
    which reads plain rows: ``customers.service.ExportReader``)."""
    return [
        id,
        external_userid,
        name,
        "微信" if type == 1 else "企业微信",
        GENDERS.get(gender, "未知"),
        corp_name,
        first_added_at,
        deleted_at,
        employees,
        tags,
        remarks,
        stage_name,
    ]


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000)
