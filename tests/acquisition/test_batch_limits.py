"""Resource caps of the batch channel-code import and the asset upload (issue 14 point 14).

Files are read up to their cap and no further; spreadsheets are read a row at a time and
reading stops at the row limit, so a file with a million rows costs no more than 501."""

from __future__ import annotations

import io
import zipfile

import httpx
from openpyxl import Workbook

from siyu.acquisition.batch import MAX_FILE_BYTES, MAX_ROWS
from siyu.acquisition.welcome import MAX_ASSET_BYTES

URL = "/api/v1/acquisition/channels/batch/preview"


def _xlsx(rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["名称", "员工"])
    for i in range(rows):
        ws.append([f"门店{i}", "zhangsan"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _broken_after(xlsx: bytes, row: int) -> bytes:
    """The workbook with its sheet's XML cut off (unreadable) from row ``row`` on."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                cut = text.index(f'<row r="{row}"')
                data = (text[:cut] + f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>').encode()
                assert "</sheetData>" not in data.decode()
            dst.writestr(info, data)
    return out.getvalue()


def _preview(api: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return api.post(URL, files={"file": (name, data, "application/octet-stream")})


def test_an_xlsx_is_read_only_up_to_the_row_limit(api: httpx.Client) -> None:
    big = _xlsx(MAX_ROWS + 100)
    r = _preview(api, "codes.xlsx", big)
    assert r.status_code == 422 and r.json()["detail"] == f"at most {MAX_ROWS} codes per file"
    # rows past the limit are never read: the sheet's XML broken after it changes nothing
    r = _preview(api, "codes.xlsx", _broken_after(big, MAX_ROWS + 10))
    assert r.status_code == 422 and r.json()["detail"] == f"at most {MAX_ROWS} codes per file"
    # broken within the limit, it is read and refused as unreadable
    r = _preview(api, "codes.xlsx", _broken_after(big, 10))
    assert r.status_code == 422 and "not a readable XLSX" in r.json()["detail"]
    # at the limit exactly, the file is read whole (rows name an unknown employee)
    r = _preview(api, "codes.xlsx", _xlsx(MAX_ROWS))
    assert r.status_code == 200 and r.json()["invalid"] == MAX_ROWS


def test_a_csv_is_read_only_up_to_the_row_limit(api: httpx.Client) -> None:
    rows = "".join(f"门店{i},zhangsan\n" for i in range(MAX_ROWS + 5))
    # a row the CSV reader refuses (a field above its 128 KiB limit), after the limit
    huge = "x" * 200_000
    late = f"name,employees\n{rows}{huge},x\n".encode()
    r = _preview(api, "codes.csv", late)
    assert r.status_code == 422 and r.json()["detail"] == f"at most {MAX_ROWS} codes per file"
    early = f"name,employees\n{huge},x\n门店,zhangsan\n".encode()
    r = _preview(api, "codes.csv", early)
    assert r.status_code == 422 and "malformed" in r.json()["detail"]
    # bytes that are neither UTF-8 nor GB18030: a 422, not a 500
    r = _preview(api, "codes.csv", b"name,employees\n\xff\xff,\xff\n")
    assert r.status_code == 422 and "neither UTF-8 nor GB18030" in r.json()["detail"]


def test_a_sheet_of_blank_rows_stops_early(api: httpx.Client) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["名称", "员工"])
    ws.cell(row=200_000, column=1, value="门店")  # 200 000 rows, nearly all blank
    buf = io.BytesIO()
    wb.save(buf)
    r = _preview(api, "codes.xlsx", buf.getvalue())
    assert r.status_code == 422 and "blank ones included" in r.json()["detail"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(api: httpx.Client) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"\0" * (60 * 1024 * 1024))
    assert len(buf.getvalue()) < 200 * 1024
    r = _preview(api, "codes.xlsx", buf.getvalue())
    assert r.status_code == 422 and "more than 50 MB" in r.json()["detail"]


def test_files_above_their_cap_are_refused(api: httpx.Client) -> None:
    # past the cap but within the route's body limit (its multipart slack): the handler's 422
    r = _preview(api, "codes.csv", b"name,employees\n" + b"x" * MAX_FILE_BYTES)
    assert r.status_code == 422 and r.json()["detail"] == "the uploaded file exceeds 5 MB"
    # far past it: the body limit's 413 before anything is read
    r = _preview(api, "codes.csv", b"x" * (MAX_FILE_BYTES + 1024 * 1024))
    assert r.status_code == 413
    r = api.post(
        "/api/v1/acquisition/assets",
        files={"file": ("bg.png", b"\x89PNG" + b"0" * MAX_ASSET_BYTES, "image/png")},
    )
    assert r.status_code == 422 and r.json()["detail"] == "the uploaded file exceeds 10 MB"
