"""Batch creation of channel codes from a CSV or XLSX (one code per row: ad keyword, store…).

Employees and tags are written by name (or id); :func:`preview` checks every row and reports
all its errors without writing anything. Creation checks the same way first: one bad row
and nothing is created; if WeCom refuses a row midway, the ways already created are deleted
again and nothing is recorded.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition import channels
from siyu.acquisition.models import ChannelCode
from siyu.acquisition.schemas import BatchPreview, BatchRow, ChannelCodeIn, WelcomeIn
from siyu.core.errors import InvalidInput, SiyuError
from siyu.customers.models import Tag, TagGroup
from siyu.db.repository import scoped
from siyu.employees.models import Employee
from siyu.wecom import acquisition_api as api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError

MAX_ROWS = 500
MAX_FILE_BYTES = 5 * 1024 * 1024  # 500 rows take a few dozen KB; the body limit of the route
COLUMNS = {
    "name": ("name", "名称", "渠道名称"),
    "group_name": ("group", "group_name", "分组", "渠道分组"),
    "userids": ("employees", "userids", "员工"),
    "tag_ids": ("tags", "tag_ids", "标签"),
    "welcome": ("welcome", "欢迎语"),
    "remark_template": ("remark_template", "备注", "备注模板"),
    "skip_verify": ("skip_verify", "免验证"),
}
SPLIT = re.compile(r"[,，、|;；\s]+")
TAG_SPLIT = re.compile(r"[,，、|;；\n]+")
FALSE = {"0", "false", "no", "否", "n"}


MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an XLSX inflating beyond this is not a list of codes
MAX_COLUMNS = 50
MAX_SCANNED_ROWS = 10_000  # blank rows included: a sheet claiming a million empty rows stops


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unzipped = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile as exc:
        raise InvalidInput("the file is not a readable XLSX workbook") from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        raise InvalidInput("the XLSX workbook unpacks to more than 50 MB: not a list of codes")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = wb.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        for row in rows:  # read_only: one row at a time, never the whole sheet
            yield ["" if v is None else str(v).strip() for v in row]
    except InvalidInput:
        raise
    except Exception as exc:  # openpyxl raises several kinds for bad files
        raise InvalidInput("the file is not a readable XLSX workbook") from exc


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030", errors="strict")
        except UnicodeDecodeError as exc:
            raise InvalidInput("the CSV file is neither UTF-8 nor GB18030 text") from exc
    try:
        for row in csv.reader(io.StringIO(text)):
            yield [v.strip() for v in row[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise InvalidInput(f"the CSV file is malformed: {exc}") from exc


def _rows(filename: str, data: bytes) -> list[dict[str, str]]:
    name = filename.lower()
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"the file exceeds {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if name.endswith(".xlsx"):
        source = _xlsx_rows(data)
    elif name.endswith(".csv"):
        source = _csv_rows(data)
    else:
        raise InvalidInput("upload a .csv or .xlsx file")
    values: list[list[str]] = []
    for scanned, row in enumerate(source):  # reading stops at the header and MAX_ROWS + 1 rows
        if scanned >= MAX_SCANNED_ROWS:
            raise InvalidInput(
                f"the file has more than {MAX_SCANNED_ROWS} rows, blank ones included"
            )
        if any(row):
            values.append(row)
            if len(values) > MAX_ROWS + 1:
                raise InvalidInput(f"at most {MAX_ROWS} codes per file")
    if not values:
        raise InvalidInput("the file is empty")
    header = [h.strip().lower() for h in values[0]]
    index: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[field] = i
    if "name" not in index or "userids" not in index:
        raise InvalidInput("the first row must name the columns; name and employees are required")
    out = []
    for row in values[1:]:
        out.append({f: (row[i] if i < len(row) else "") for f, i in index.items()})
    return out


class Directory:
    """Employees and tags by the names operators write in a spreadsheet (ids work too)."""

    def __init__(self, employees: list[tuple[str, str]], tags: list[tuple[str, str, str]]):
        self.userids = {u for u, _ in employees}
        self.by_name: dict[str, list[str]] = {}
        for u, name in employees:
            self.by_name.setdefault(name, []).append(u)
        self.tag_ids = {t for t, _, _ in tags}
        self.tags: dict[str, list[str]] = {}
        for t, name, group in tags:
            self.tags.setdefault(name, []).append(t)
            self.tags.setdefault(f"{group}/{name}", []).append(t)
        self.employee_names = {u: n for u, n in employees}
        self.tag_names = {t: n for t, n, _ in tags}

    @classmethod
    async def load(cls, session: AsyncSession, corp_id: int) -> Directory:
        emps = await session.execute(
            scoped(Employee, corp_id, Employee.userid, Employee.name).where(
                Employee.active.is_(True)
            )
        )
        tags = await session.execute(
            select(Tag.tag_id, Tag.name, TagGroup.name)
            .join(TagGroup, TagGroup.id == Tag.group_pk)
            .where(Tag.corp_id == corp_id, Tag.deleted_at.is_(None))
        )
        return cls([(u, n) for u, n in emps.all()], [(t, n, g) for t, n, g in tags.all()])

    def employee(self, value: str) -> str:
        if value in self.userids:
            return value
        found = self.by_name.get(value, [])
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInput(f"{len(found)} employees are named {value}: use their account ids")
        raise InvalidInput(f"unknown employee: {value}")

    def tag(self, value: str) -> str:
        if value in self.tag_ids:
            return value
        found = self.tags.get(value, [])
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInput(f"several tags are named {value}: write it as 标签组/标签")
        raise InvalidInput(f"unknown tag: {value}")


def _resolve(values: list[str], find: Callable[[str], str], errors: list[str]) -> list[str]:
    out = []
    for v in values:
        try:
            out.append(find(v))
        except InvalidInput as exc:
            errors.append(exc.message)
    return out


def _body(
    row: dict[str, str], defaults: dict[str, Any], names: Directory, errors: list[str]
) -> ChannelCodeIn | None:
    """The row as a channel code, or None with the reasons in ``errors``."""
    data: dict[str, Any] = dict(defaults)
    data["name"] = row["name"]
    data["userids"] = _resolve(
        [u for u in SPLIT.split(row.get("userids", "")) if u], names.employee, errors
    )
    if row.get("group_name"):
        data["group_name"] = row["group_name"]
    if row.get("tag_ids"):
        # a tag name may hold spaces: tags are split on commas and the like only
        tags = [t.strip() for t in TAG_SPLIT.split(row["tag_ids"]) if t.strip()]
        data["tag_ids"] = _resolve(tags, names.tag, errors)
    if row.get("welcome"):
        data["welcome"] = WelcomeIn(text=row["welcome"])
    if row.get("remark_template"):
        data["remark_template"] = row["remark_template"]
    if row.get("skip_verify"):
        data["skip_verify"] = row["skip_verify"].strip().lower() not in FALSE
    try:
        body = ChannelCodeIn.model_validate(data)
    except ValidationError as exc:
        errors += [f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return None
    return None if errors else body


async def _check(
    session: AsyncSession, corp_id: int, rows: list[dict[str, str]], group_name: str
) -> tuple[list[BatchRow], list[ChannelCode]]:
    """Every row checked (all its errors, not only the first); the codes ready to create."""
    names = await Directory.load(session, corp_id)
    checked: list[BatchRow] = []
    prepared: list[ChannelCode] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, 2):
        errors: list[str] = []
        body = _body(row, {"group_name": group_name}, names, errors)
        if not row.get("name"):
            errors.insert(0, "the name is empty")
        if body is not None:
            if body.name in seen:
                errors.append(f"the name {body.name} appears twice in the file")
            seen.add(body.name)
            try:
                code = await channels.prepare(session, corp_id, body)
                if not errors:
                    prepared.append(code)
            except SiyuError as exc:
                errors.append(exc.message)
        checked.append(
            BatchRow(
                row=n,
                name=row.get("name", ""),
                group_name=(body.group_name if body else row.get("group_name")) or group_name,
                employees=[names.employee_names.get(u, u) for u in (body.userids if body else [])]
                or [u for u in SPLIT.split(row.get("userids", "")) if u],
                tags=[names.tag_names.get(t, t) for t in (body.tag_ids if body else [])],
                welcome=row.get("welcome", ""),
                skip_verify=body.skip_verify if body else True,
                errors=errors,
            )
        )
    return checked, prepared


async def preview(
    session: AsyncSession, corp_id: int, *, filename: str, data: bytes, group_name: str = ""
) -> BatchPreview:
    """What the file would create, row by row with its errors; nothing is written."""
    checked, _ = await _check(session, corp_id, _rows(filename, data), group_name)
    bad = sum(1 for r in checked if r.errors)
    return BatchPreview(rows=checked, valid=len(checked) - bad, invalid=bad)


def template() -> bytes:
    """An XLSX with the columns operators fill in, and one example row."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "渠道活码"
    ws.append(["渠道名称", "员工", "渠道分组", "标签", "欢迎语", "备注模板", "免验证"])
    ws.append(
        [
            "抖音-关键词A",
            "张三,李四",
            "抖音广告",
            "来源/抖音",
            "您好，欢迎！",
            "{nickname}-抖音",
            "是",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def create_from_file(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    *,
    filename: str,
    data: bytes,
    group_name: str = "",
) -> list[ChannelCode]:
    checked, prepared = await _check(session, corp_id, _rows(filename, data), group_name)
    for r in checked:
        if r.errors:
            raise InvalidInput(f"row {r.row}: {'; '.join(r.errors)}")
    created: list[ChannelCode] = []
    try:
        for c in prepared:
            await channels.push_new(session, corp_id, client, c)
            created.append(c)
    except WeComError:
        for c in created:
            with contextlib.suppress(WeComError):  # best effort; list_contact_way shows leftovers
                await api.del_contact_way(client, c.config_id)
        raise
    return created
