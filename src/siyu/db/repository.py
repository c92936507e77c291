"""The repository base: the one helper that scopes every statement by corp."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Select, String, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY

M = TypeVar("M")


def scoped(model: type[M], corp_id: int, *columns: Any) -> Select[Any]:
    """``SELECT model (or columns) FROM model WHERE model.corp_id = corp_id``."""
    stmt = select(*columns) if columns else select(model)
    return stmt.where(model.corp_id == corp_id)  # type: ignore[attr-defined]


def among(column: Any, values: Sequence[int], dialect: str) -> Any:
    """``column IN values`` with the values as one bound parameter (an array on PostgreSQL, a
    JSON array read by ``json_each`` on SQLite): a statement over thousands of ids is compiled
    once and bound as one value, where an expanding ``IN`` renders a parameter per id."""
    ids = ",".join(map(str, map(int, values)))
    if dialect == "postgresql":  # an array literal: the driver dumps a list element by element
        literal = bindparam(None, "{" + ids + "}", type_=String)
        return column == any_(cast(literal, ARRAY(BigInteger)))
    each = func.json_each(bindparam(None, "[" + ids + "]", type_=String)).table_valued("value")
    return column.in_(select(each.c.value))
