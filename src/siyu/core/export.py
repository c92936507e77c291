"""Table exports to CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and XLSX.

Times are written on the corp's clock and say so: a column declared with :class:`Time` gets the
zone in its header ("首次添加时间 (Asia/Shanghai)"); in XLSX its cells are real Excel dates
(Excel has no zones, hence the header), in CSV ISO-8601 with the offset
(``2026-05-01T14:16:00+08:00``). A date (a corp calendar day) is a date cell / ``2026-05-01``.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from siyu.core.errors import InvalidInput
from siyu.core.times import local, zone

Format = Literal["csv", "xlsx"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"


class Time(str):
    """The header of a column of times (or corp calendar days): the export names the zone."""

    __slots__ = ()


def check_format(fmt: str) -> Format:
    if fmt not in MEDIA:
        raise InvalidInput("format must be csv or xlsx")
    return fmt  # type: ignore[return-value]


def header(name: str, tz: ZoneInfo) -> str:
    return f"{name} ({tz.key})" if isinstance(name, Time) else name


#: a cell starting with one of these is a formula to Excel, LibreOffice and WPS (customer names
#: are WeChat nicknames: ``=HYPERLINK(...)`` is a name like any other)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """CSV: a text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value


_START = frozenset(FORMULA_START)


def _csv_row(row: Sequence[Any], tz: ZoneInfo) -> list[Any]:
    """``_csv`` of each value, with the common types inline (an export's hot loop: a call per
    value costs as much as the CSV writer itself)."""
    out: list[Any] = []
    add = out.append
    for v in row:
        t = type(v)
        if t is str:
            add("'" + v if v[:1] in _START else v)
        elif v is None or t is int:
            add(v)
        elif t is datetime:
            add(local(v, tz).isoformat(timespec="seconds"))
        elif t is list:
            joined = "、".join(map(str, v))
            add("'" + joined if joined[:1] in _START else joined)
        else:
            add(_csv(v, tz))
    return out


def _csv(value: Any, tz: ZoneInfo) -> Any:
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, datetime):
        return local(value, tz).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return _text("、".join(map(str, value)))
    return value


def _xlsx(value: Any, tz: ZoneInfo, ws: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"  # an inline string, never a formula
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, local(value, tz).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, list | tuple):
        return _xlsx("、".join(map(str, value)), tz, ws)
    return value


async def render(
    fmt: Format,
    headers: Sequence[str],
    rows: AsyncIterator[Sequence[Any]],
    *,
    sheet: str,
    tz: str | ZoneInfo | None,
) -> bytes:
    """The whole export as bytes (rows are produced page by page by the caller); ``tz`` is the
    corp's time zone (``corp.timezone``)."""
    zi = tz if isinstance(tz, ZoneInfo) else zone(tz)
    names = [header(h, zi) for h in headers]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(names)
        async for row in rows:
            writer.writerow(_csv_row(row, zi))
        return ("\ufeff" + buf.getvalue()).encode()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    try:
        ws.append(names)
        async for row in rows:
            ws.append([_xlsx(v, zi, ws) for v in row])
    except BaseException:
        # the rows refused the request (a bad sort or cursor, a 4xx): finish the sheet's
        # writer now, or openpyxl's row generator fails on its closed file when collected
        ws.close()
        raise
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CHUNK = 1 << 16  # bytes a streamed export sends at a time


async def stream(
    fmt: Format,
    headers: Sequence[str],
    batches: AsyncIterator[Sequence[Sequence[Any]]],
    *,
    sheet: str,
    tz: str | ZoneInfo | None,
) -> AsyncIterator[bytes]:
    """The export as chunks of bytes, written as the rows arrive (in batches: a list of rows at
    a time), so memory stays flat however many rows there are (``render``'s cells and
    headers). CSV is sent as it is written; an XLSX file is a zip that is complete only at its
    end, so its rows go to a temporary file on disk (openpyxl's write-only mode) that is then
    sent in chunks."""
    zi = tz if isinstance(tz, ZoneInfo) else zone(tz)
    names = [header(h, zi) for h in headers]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        buf.write("\ufeff")
        writer.writerow(names)
        async for batch in batches:
            writer.writerows([_csv_row(row, zi) for row in batch])
            if buf.tell() >= CHUNK:
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue().encode()
        return
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    try:
        ws.append(names)
        async for batch in batches:
            for row in batch:
                ws.append([_xlsx(v, zi, ws) for v in row])
    except BaseException:  # the rows failed, or the client went away (cancelled): as render
        ws.close()
        raise
    with tempfile.TemporaryFile() as out:
        wb.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk
