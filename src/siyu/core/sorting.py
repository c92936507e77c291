"""Server-side sorting for keyset-paginated lists: ``sort=name`` or ``sort=-created_at``.

A list declares the columns it can be sorted by; the page is ordered by that column, then by
the row id (the tie-breaker), and the cursor carries both values of the page's last row, so
the order holds across every page, not just the one on screen. Sort columns are NOT NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from siyu.core.errors import InvalidInput
from siyu.core.pagination import Page, decode_cursor, encode_cursor

_BAD_CURSOR = "the cursor is not valid; use next_cursor from a previous page"


@dataclass(frozen=True)
class Sort:
    """A parsed sort: the key the client named, its column and the direction."""

    key: str
    column: InstrumentedAttribute[Any]
    desc: bool


def parse(
    sort: str | None, columns: Mapping[str, InstrumentedAttribute[Any]], default: str
) -> Sort:
    """``name`` ascending, ``-name`` descending; an unknown key is a clear 422."""
    raw = (sort or default).strip()
    desc = raw.startswith("-")
    key = raw.lstrip("-+")
    if key not in columns:
        allowed = ", ".join(sorted(columns))
        raise InvalidInput(
            f"cannot sort by {key!r}; sort by one of: {allowed} (prefix - for descending)"
        )
    return Sort(key=key, column=columns[key], desc=desc)


def _value(column: InstrumentedAttribute[Any], raw: Any) -> Any:
    kind = getattr(column.type, "impl", column.type)  # through TypeDecorators (UTCDateTime)
    if isinstance(kind, DateTime) and isinstance(raw, str):
        try:
            return datetime.fromisoformat(raw)
        except ValueError as exc:
            raise InvalidInput(_BAD_CURSOR) from exc
    return raw


def apply(stmt: Any, sort: Sort, id_column: InstrumentedAttribute[Any], cursor: str | None) -> Any:
    """Order ``stmt`` by the sort column then id, keeping only rows after the cursor."""
    col = sort.column
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not isinstance(values[1], int):
            raise InvalidInput(_BAD_CURSOR)
        value, last_id = _value(col, values[0]), values[1]
        if col is id_column:
            stmt = stmt.where(id_column < last_id if sort.desc else id_column > last_id)
        elif sort.desc:
            stmt = stmt.where(or_(col < value, and_(col == value, id_column < last_id)))
        else:
            stmt = stmt.where(or_(col > value, and_(col == value, id_column > last_id)))
    if sort.desc:
        return stmt.order_by(col.desc(), id_column.desc())
    return stmt.order_by(col.asc(), id_column.asc())


def page(rows: Sequence[Any], sort: Sort, limit: int, *, id_attr: str = "id") -> Page[Any]:
    """The first ``limit`` of ``limit + 1`` fetched rows, and the cursor to the next page."""
    items = list(rows[:limit])
    nxt = None
    if len(rows) > limit:
        last = items[-1]
        value = getattr(last, sort.column.key)
        if isinstance(value, datetime):
            value = value.isoformat()
        nxt = encode_cursor([value, getattr(last, id_attr)])
    return Page(items=items, next_cursor=nxt)
