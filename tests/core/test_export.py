"""Exports write times on the corp's clock, say which clock, and as real dates in XLSX."""

from __future__ import annotations

import asyncio
import csv
import gc
import io
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from siyu.cli.demo_seed import seed
from siyu.core import export
from siyu.core.errors import InvalidInput
from siyu.customers.models import Customer
from siyu.db.session import Database
from tests.conftest import CorpHandle, Sandbox, full_sync

ADDED = datetime(2026, 5, 1, 6, 16, 5, tzinfo=UTC)  # 14:16:05 in Shanghai
ZONE = "(Asia/Shanghai)"


def _xlsx(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def _added_at(db: Database, customer_id: int, at: datetime) -> None:
    async with db.unit_of_work() as s:
        await s.execute(
            update(Customer).where(Customer.id == customer_id).values(first_added_at=at)
        )


def test_a_customer_export_shows_the_corp_clock_and_names_it(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    c = api.get("/api/v1/customers", params={"limit": 1}).json()["items"][0]
    asyncio.run(_added_at(db, c["id"], ADDED))
    assert api.get(f"/api/v1/customers/{c['id']}").json()["first_added_at"] == (
        "2026-05-01T06:16:05Z"
    )

    rows = _xlsx(api.get("/api/v1/customers/export", params={"format": "xlsx"}).content)
    column = rows[0].index("首次添加时间 (Asia/Shanghai)")
    assert "流失时间 (Asia/Shanghai)" in rows[0]
    row = next(r for r in rows[1:] if r[0] == c["id"])
    assert row[column] == datetime(2026, 5, 1, 14, 16, 5)  # a date cell, not text, not UTC

    sheet = load_workbook(
        io.BytesIO(api.get("/api/v1/customers/export", params={"format": "xlsx"}).content)
    ).worksheets[0]
    cell = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == c["id"])[column]
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm:ss"

    table = _csv(api.get("/api/v1/customers/export", params={"format": "csv"}).content)
    line = next(r for r in table[1:] if r[0] == str(c["id"]))
    assert line[table[0].index("首次添加时间 (Asia/Shanghai)")] == "2026-05-01T14:16:05+08:00"


def test_every_export_names_the_zone_of_its_times(
    live: CorpHandle, api: httpx.Client, sb: Sandbox
) -> None:
    seed(api, sandbox_url=sb.url)
    segment = api.get("/api/v1/segments").json()[0]["id"]
    task = api.get("/api/v1/tasks").json()["items"][0]["id"]
    broadcast = api.get("/api/v1/broadcasts").json()["items"][0]["id"]
    ids = {"segment_id": segment, "task_id": task, "broadcast_id": broadcast}
    spec = api.get("/api/openapi.json").json()
    paths = sorted(p for p, ops in spec["paths"].items() if "/export" in p and "get" in ops)
    assert len(paths) >= 12, paths
    timed = 0
    for path in paths:
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        rows = _xlsx(api.get(url, params={"format": "xlsx"}).content)
        header = rows[0]
        for i, name in enumerate(header):
            values = [r[i] for r in rows[1:] if r[i] is not None]
            if any(isinstance(v, datetime | date) for v in values):
                assert str(name).endswith(ZONE), (path, name, values[:3])
            if str(name).endswith(ZONE):
                timed += 1
                assert all(isinstance(v, datetime | date) for v in values), (path, name)
        table = _csv(api.get(url, params={"format": "csv"}).content)
        for line in table[1:]:
            for name, value in zip(table[0], line, strict=True):
                if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:", value):
                    assert name.endswith(ZONE) and re.search(r"\+08:00$", value), (path, name)
    assert timed >= 10


async def _rows(rows: Sequence[Sequence[Any]]) -> AsyncIterator[Sequence[Any]]:
    for row in rows:
        yield row


async def test_the_zone_is_the_corps_whatever_it_is() -> None:
    headers = ["名称", export.Time("发送时间"), export.Time("日期")]
    rows = [["a", ADDED, date(2026, 4, 30)], ["b", None, None]]
    data = await export.render("xlsx", headers, _rows(rows), sheet="s", tz="America/New_York")
    assert _xlsx(data) == [
        ("名称", "发送时间 (America/New_York)", "日期 (America/New_York)"),
        ("a", datetime(2026, 5, 1, 2, 16, 5), datetime(2026, 4, 30)),
        ("b", None, None),
    ]
    text = await export.render("csv", headers, _rows(rows), sheet="s", tz="America/New_York")
    assert _csv(text)[1] == ["a", "2026-05-01T02:16:05-04:00", "2026-04-30"]


async def test_an_export_whose_rows_fail_leaves_no_broken_sheet_behind() -> None:
    """A bad sort or cursor raises from the rows after the sheet was opened (the route answers
    422): the sheet is closed with the error. Abandoned, openpyxl's row writer failed on its
    closed file when collected ("Exception ignored in WriteOnlyWorksheet._write_rows")."""

    async def rows() -> AsyncIterator[Sequence[Any]]:
        yield [1, "甲"]
        raise InvalidInput("the cursor is not valid; use next_cursor from a previous page")

    with pytest.raises(InvalidInput):
        await export.render("xlsx", ["ID", "名称"], rows(), sheet="s", tz="Asia/Shanghai")

    async def batches() -> AsyncIterator[Sequence[Sequence[Any]]]:
        yield [[1, "甲"]]
        raise InvalidInput("the cursor is not valid; use next_cursor from a previous page")

    with pytest.raises(InvalidInput):
        async for _ in export.stream("xlsx", ["ID", "名称"], batches(), sheet="s", tz=None):
            pass
    gc.collect()  # an unclosed sheet's generator would fail here (an error under pytest)
