"""Admin-defined customer fields (自定义字段): definitions (name, type, options, order) and the
rules a value must follow. Values are stored per customer by ``siyu.customers.profile``."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core.errors import Conflict, InvalidInput, NotFound
from siyu.customers.profile_models import CustomField
from siyu.customers.profile_schemas import CustomFieldIn, CustomFieldPatch
from siyu.db.repository import scoped

TYPES = {"text": "文本", "number": "数字", "date": "日期", "select": "单选"}
MAX_FIELDS = 50
MAX_OPTIONS = 50
NAME_MAX = 20
OPTION_MAX = 30
TEXT_MAX = 200
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


async def list_fields(session: AsyncSession, corp_id: int) -> list[CustomField]:
    stmt = scoped(CustomField, corp_id).order_by(CustomField.position, CustomField.id)
    return list((await session.scalars(stmt)).all())


async def get_field(session: AsyncSession, corp_id: int, field_id: int) -> CustomField:
    row = await session.scalar(scoped(CustomField, corp_id).where(CustomField.id == field_id))
    if row is None:
        raise NotFound(f"自定义字段 {field_id} 不存在")
    return row


def _name(value: str) -> str:
    name = value.strip()
    if not name:
        raise InvalidInput("字段名称不能为空")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"字段名称最多 {NAME_MAX} 个字")
    return name


def _options(kind: str, options: Sequence[str]) -> list[str]:
    if kind != "select":
        if any(o.strip() for o in options):
            raise InvalidInput("只有单选字段可以设置选项")
        return []
    clean = [o.strip() for o in options if o.strip()]
    if not clean:
        raise InvalidInput("单选字段至少需要一个选项")
    if len(clean) > MAX_OPTIONS:
        raise InvalidInput(f"单选字段最多 {MAX_OPTIONS} 个选项")
    if any(len(o) > OPTION_MAX for o in clean):
        raise InvalidInput(f"每个选项最多 {OPTION_MAX} 个字")
    if len(set(clean)) != len(clean):
        raise InvalidInput("选项不能重复")
    return clean


async def _name_taken(
    session: AsyncSession, corp_id: int, name: str, but: int | None = None
) -> None:
    stmt = scoped(CustomField, corp_id, CustomField.id).where(CustomField.name == name)
    if but is not None:
        stmt = stmt.where(CustomField.id != but)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"已有名为「{name}」的字段")


async def create_field(session: AsyncSession, corp_id: int, data: CustomFieldIn) -> CustomField:
    if data.type not in TYPES:
        raise InvalidInput("字段类型只能是文本、数字、日期或单选")
    name = _name(data.name)
    options = _options(data.type, data.options)
    count = await session.scalar(
        select(func.count()).select_from(CustomField).where(CustomField.corp_id == corp_id)
    )
    if (count or 0) >= MAX_FIELDS:
        raise InvalidInput(f"最多 {MAX_FIELDS} 个自定义字段")
    await _name_taken(session, corp_id, name)
    last = await session.scalar(
        select(func.max(CustomField.position)).where(CustomField.corp_id == corp_id)
    )
    row = CustomField(
        corp_id=corp_id, name=name, type=data.type, options=options, position=(last or 0) + 1
    )
    session.add(row)
    await session.flush()
    return row


async def update_field(
    session: AsyncSession, corp_id: int, field_id: int, data: CustomFieldPatch
) -> CustomField:
    """Rename a field or change a select's options (the type stays: values were checked
    against it). A value no longer among the options stays until it is edited."""
    row = await get_field(session, corp_id, field_id)
    if data.name is not None:
        name = _name(data.name)
        await _name_taken(session, corp_id, name, but=row.id)
        row.name = name
    if data.options is not None:
        row.options = _options(row.type, data.options)
    await session.flush()
    return row


async def reorder(session: AsyncSession, corp_id: int, ids: Sequence[int]) -> list[CustomField]:
    rows = await list_fields(session, corp_id)
    if sorted(ids) != sorted(r.id for r in rows):
        raise InvalidInput("排序须包含全部字段，且每个字段一次")
    pos = {fid: i + 1 for i, fid in enumerate(ids)}
    for r in rows:
        r.position = pos[r.id]
    await session.flush()
    return sorted(rows, key=lambda r: r.position)


async def delete_field(session: AsyncSession, corp_id: int, field_id: int) -> None:
    """Delete a field and every customer's value of it."""
    row = await get_field(session, corp_id, field_id)
    await session.delete(row)
    await session.flush()


def check_value(f: CustomField, raw: str | None) -> str | None:
    """The stored form of a value for field ``f`` (None clears); a Chinese sentence if wrong."""
    value = (raw or "").strip()
    if not value:
        return None
    if f.type == "text":
        if len(value) > TEXT_MAX:
            raise InvalidInput(f"「{f.name}」最多 {TEXT_MAX} 个字")
        return value
    if f.type == "number":
        if not NUMBER.match(value):
            raise InvalidInput(f"「{f.name}」须是数字")
        number = float(value)
        if not math.isfinite(number) or abs(number) >= 1e15:
            raise InvalidInput(f"「{f.name}」须是数字，且绝对值小于 10^15")
        return value if len(value) <= 40 else repr(number)
    if f.type == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidInput(f"「{f.name}」须是日期，格式如 2026-05-01") from None
    if value not in f.options:
        raise InvalidInput(f"「{f.name}」只能选：{'、'.join(f.options)}")
    return value
