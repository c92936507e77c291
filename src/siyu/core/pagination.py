"""Keyset pagination: opaque cursors that encode the last row's sort key."""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from siyu.core.bounds import fits_int64
from siyu.core.errors import InvalidInput

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidInput("the cursor is not valid; use next_cursor from a previous page") from exc
    if not isinstance(values, list) or any(
        isinstance(v, int) and not fits_int64(v) for v in values
    ):  # a number no column holds would be an OverflowError in the query
        raise InvalidInput("the cursor is not valid; use next_cursor from a previous page")
    return values


def id_page_bounds(cursor: str | None) -> int | None:
    """The last id of the previous page for id-ordered lists (None for the first page)."""
    if not cursor:
        return None
    values = decode_cursor(cursor)
    if len(values) != 1 or not isinstance(values[0], int):
        raise InvalidInput("the cursor is not valid; use next_cursor from a previous page")
    return values[0]
