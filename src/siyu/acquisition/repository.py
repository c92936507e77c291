"""Shared statement helpers of acquisition."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(
    session: AsyncSession, model: Any, values: dict[str, Any], *, unique: list[str]
) -> bool:
    """``INSERT … ON CONFLICT (unique) DO NOTHING``; True when this call inserted the row.

    Two workers racing to create the same first-of-its-kind row (a customer's owner or source)
    both succeed: one inserts, the other sees the winner's row.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=unique)
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))
