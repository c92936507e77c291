"""Table exports to CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, Literal

from openpyxl import Workbook

from siyu.core.errors import InvalidInput

Format = Literal["csv", "xlsx"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_format(fmt: str) -> Format:
    if fmt not in MEDIA:
        raise InvalidInput("format must be csv or xlsx")
    return fmt  # type: ignore[return-value]


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return value


async def render(
    fmt: Format, headers: Sequence[str], rows: AsyncIterator[Sequence[Any]], *, sheet: str
) -> bytes:
    """The whole export as bytes (rows are produced page by page by the caller)."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers)
        async for row in rows:
            writer.writerow([_cell(v) for v in row])
        return ("\ufeff" + buf.getvalue()).encode()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(list(headers))
    async for row in rows:
        ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
