"""The repository base: the one helper that scopes every statement by corp."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select

M = TypeVar("M")


def scoped(model: type[M], corp_id: int, *columns: Any) -> Select[Any]:
    """``SELECT model (or columns) FROM model WHERE model.corp_id = corp_id``."""
    stmt = select(*columns) if columns else select(model)
    return stmt.where(model.corp_id == corp_id)  # type: ignore[attr-defined]
