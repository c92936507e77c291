"""Spreadsheets of corp phrases: the XLSX import (previewed row by row, all or nothing) and
the export (the same columns, so an export edited in Excel imports back)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import AsyncIterator, Sequence
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from siyu.core import export
from siyu.core.errors import InvalidInput, SiyuError
from siyu.corps.principal import Principal
from siyu.phrases import folders as folder_service
from siyu.phrases import repository as repo
from siyu.phrases import service
from siyu.phrases.models import Phrase
from siyu.phrases.schemas import PhraseImportError, PhraseImportOut, PhraseIn

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
#: the columns of the import and of the export (the export adds uses and times)
COLUMNS = [
    "文件夹",
    "类型",
    "标题",
    "内容",
    "链接",
    "描述",
    "封面",
    "小程序AppID",
    "小程序页面",
    "可见部门",
]
EXPORT_HEADERS = [*COLUMNS, "使用次数", export.Time("更新时间")]
KIND_NAMES = {"text": "文本", "image": "图片", "link": "链接", "miniprogram": "小程序"}
KIND_OF = {
    **{v: k for k, v in KIND_NAMES.items()},
    **{k: k for k in KIND_NAMES},
    "文字": "text",
    "网页": "link",
}
SPLIT = re.compile(r"[、,，;；\n]+")


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _rows(content: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """(column name → index, [(row number, cells)]) of the first sheet."""
    if len(content) > MAX_BYTES:
        raise InvalidInput("the spreadsheet exceeds 5 MB")
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InvalidInput("the file is not an Excel workbook (.xlsx)") from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        head = next(rows, None)
        if head is None:
            raise InvalidInput("the spreadsheet is empty")
        columns = {_cell(h).split(" (")[0]: i for i, h in enumerate(head) if _cell(h)}
        for need in ("类型", "标题"):
            if need not in columns:
                raise InvalidInput(
                    f"the first row needs the column 「{need}」 ({'、'.join(COLUMNS)})"
                )
        out: list[tuple[int, list[str]]] = []
        for n, row in enumerate(rows, start=2):
            cells = [_cell(v) for v in row]
            if not any(cells):
                continue
            if len(out) >= MAX_ROWS:
                raise InvalidInput(f"import at most {MAX_ROWS} phrases at a time")
            out.append((n, cells))
    finally:
        wb.close()
    return columns, out


async def _parse(
    s: AsyncSession, principal: Principal, content: bytes
) -> tuple[list[tuple[int, PhraseIn, str]], list[PhraseImportError], list[str]]:
    """Each row as a phrase (with its folder's name), the rows' errors, the new folders."""
    columns, rows = _rows(content)
    depts: dict[str, int] = {}
    for dept_id, name in await repo.department_names(s, principal.corp_id):
        depts.setdefault(name, dept_id)
    existing = {f.name for f in await repo.folders(s, principal.corp_id)}
    parsed: list[tuple[int, PhraseIn, str]] = []
    errors: list[PhraseImportError] = []
    new_folders: list[str] = []

    def get(cells: list[str], name: str) -> str:
        i = columns.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    for n, cells in rows:
        kind = KIND_OF.get(get(cells, "类型").lower())
        if kind is None:
            errors.append(PhraseImportError(row=n, message="类型 must be 文本, 链接 or 小程序"))
            continue
        if kind == "image":
            errors.append(
                PhraseImportError(
                    row=n, message="image phrases are uploaded in the console, not imported"
                )
            )
            continue
        names = [x.strip() for x in SPLIT.split(get(cells, "可见部门")) if x.strip()]
        unknown = [x for x in names if x not in depts]
        if unknown:
            errors.append(
                PhraseImportError(row=n, message=f"unknown department: {'、'.join(unknown)}")
            )
            continue
        folder = get(cells, "文件夹")[:50]
        try:
            data = PhraseIn(
                scope="corp",
                kind=kind,  # type: ignore[arg-type]
                title=get(cells, "标题"),
                body=get(cells, "内容"),
                url=get(cells, "链接"),
                description=get(cells, "描述"),
                cover=get(cells, "封面"),
                appid=get(cells, "小程序AppID"),
                page=get(cells, "小程序页面"),
                department_ids=sorted({depts[x] for x in names}),
            )
            await service.check_content(
                s, principal.corp_id, Phrase(**data.model_dump(exclude={"department_ids"}))
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            errors.append(PhraseImportError(row=n, message=f"{where}: {first['msg']}"))
            continue
        except SiyuError as exc:
            errors.append(PhraseImportError(row=n, message=str(exc)))
            continue
        if folder and folder not in existing and folder not in new_folders:
            new_folders.append(folder)
        parsed.append((n, data, folder))
    return parsed, errors, new_folders


async def preview(s: AsyncSession, principal: Principal, content: bytes) -> PhraseImportOut:
    principal.require_full_access()
    parsed, errors, new_folders = await _parse(s, principal, content)
    rows = len(parsed) + len(errors)
    return PhraseImportOut(rows=rows, created=0, new_folders=new_folders, errors=errors)


async def run(s: AsyncSession, principal: Principal, content: bytes) -> PhraseImportOut:
    """Create every row's phrase, or none when a row has an error (a 4xx naming them)."""
    principal.require_full_access()
    parsed, errors, new_folders = await _parse(s, principal, content)
    if errors:
        said = "; ".join(f"row {e.row}: {e.message}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise InvalidInput(f"{len(errors)} rows have errors, nothing was imported: {said}{more}")
    if not parsed:
        raise InvalidInput("the spreadsheet has no phrases")
    ids = {f.name: f.id for f in await repo.folders(s, principal.corp_id)}
    for name in new_folders:
        ids[name] = (await folder_service.create(s, principal.corp_id, name)).id
    for _, data, folder in parsed:
        data.folder_id = ids[folder] if folder else None
        await service.create(s, principal, data)
    return PhraseImportOut(rows=len(parsed), created=len(parsed), new_folders=new_folders)


async def export_rows(
    s: AsyncSession, principal: Principal, **filters: Any
) -> AsyncIterator[Sequence[Any]]:
    depts = dict(await repo.department_names(s, principal.corp_id))
    names = {f.id: f.name for f in await repo.folders(s, principal.corp_id)}
    cursor: str | None = None
    while True:
        rows, cursor = await service.search(s, principal, cursor=cursor, limit=500, **filters)
        for p in rows:
            yield [
                names.get(p.folder_id or 0, ""),
                KIND_NAMES.get(p.kind, p.kind),
                p.title,
                p.body,
                p.url,
                p.description,
                p.cover,
                p.appid,
                p.page,
                "、".join(depts.get(d, str(d)) for d in p.department_ids),
                p.uses,
                p.updated_at,
            ]
        if cursor is None:
            return
