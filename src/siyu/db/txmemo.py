"""Answers remembered for the life of one database transaction.

A callback drain applies a batch of customer events in one transaction, and each event's
handlers ask the same corp-wide questions ("does this corp have an active rule tag?", "any
SOP to run?"). A ``TxMemo`` asks the database once per transaction and key; the answers go
with the transaction (a weak reference), so the next transaction asks again. Code that
changes the answer inside a transaction calls ``forget`` so later questions in it re-ask.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import SessionTransaction

T = TypeVar("T")


class TxMemo(Generic[T]):
    """Per-transaction memo of ``compute(key)``; without a transaction nothing is kept."""

    def __init__(self) -> None:
        self._answers: weakref.WeakKeyDictionary[SessionTransaction, dict[Hashable, T]] = (
            weakref.WeakKeyDictionary()
        )

    async def get(
        self, session: AsyncSession, key: Hashable, compute: Callable[[], Awaitable[T]]
    ) -> T:
        tx = session.sync_session.get_transaction()
        if tx is None:
            return await compute()
        memo = self._answers.setdefault(tx, {})
        if key not in memo:
            memo[key] = await compute()
        return memo[key]

    def forget(self, session: AsyncSession) -> None:
        """The answers may have changed in this transaction: ask again next time."""
        tx = session.sync_session.get_transaction()
        if tx is not None:
            self._answers.pop(tx, None)
