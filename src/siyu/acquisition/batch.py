"""Batch creation of channel codes from a CSV or XLSX (one code per row: ad keyword, store…).

Every row is parsed and validated before the first contact way is created; if WeCom refuses a
row midway, the ways already created are deleted again and nothing is recorded.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.acquisition import channels
from siyu.acquisition.models import ChannelCode
from siyu.acquisition.schemas import ChannelCodeIn, WelcomeIn
from siyu.core.errors import InvalidInput, SiyuError
from siyu.wecom import acquisition_api as api
from siyu.wecom.client import WeComClient
from siyu.wecom.errors import WeComError

MAX_ROWS = 500
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
FALSE = {"0", "false", "no", "否", "n"}


def _rows(filename: str, data: bytes) -> list[dict[str, str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for bad files
            raise InvalidInput("the file is not a readable XLSX workbook") from exc
        values = [
            ["" if v is None else str(v).strip() for v in row]
            for row in wb.worksheets[0].iter_rows(values_only=True)
        ]
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="strict")
        values = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise InvalidInput("upload a .csv or .xlsx file")
    values = [r for r in values if any(r)]
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
    if len(out) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} codes per file")
    return out


def _body(row: dict[str, str], defaults: dict[str, Any]) -> ChannelCodeIn:
    data: dict[str, Any] = dict(defaults)
    data["name"] = row["name"]
    data["userids"] = [u for u in SPLIT.split(row.get("userids", "")) if u]
    if row.get("group_name"):
        data["group_name"] = row["group_name"]
    if row.get("tag_ids"):
        data["tag_ids"] = [t for t in SPLIT.split(row["tag_ids"]) if t]
    if row.get("welcome"):
        data["welcome"] = WelcomeIn(text=row["welcome"])
    if row.get("remark_template"):
        data["remark_template"] = row["remark_template"]
    if row.get("skip_verify"):
        data["skip_verify"] = row["skip_verify"].strip().lower() not in FALSE
    return ChannelCodeIn.model_validate(data)


async def create_from_file(
    session: AsyncSession,
    corp_id: int,
    client: WeComClient,
    *,
    filename: str,
    data: bytes,
    group_name: str = "",
) -> list[ChannelCode]:
    rows = _rows(filename, data)
    prepared: list[ChannelCode] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, 2):
        try:
            body = _body(row, {"group_name": group_name})
            if body.name in seen:
                raise InvalidInput(f"the name {body.name} appears twice")
            seen.add(body.name)
            prepared.append(await channels.prepare(session, corp_id, body))
        except ValidationError as exc:
            raise InvalidInput(f"row {n}: {exc.errors()[0]['msg']}") from exc
        except SiyuError as exc:
            raise InvalidInput(f"row {n}: {exc.message}") from exc
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
