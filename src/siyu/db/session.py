"""The database handle of a process and the unit of work.

The unit of work owns the transaction: it commits at the end or rolls back on error.
Services never commit. Jobs enqueued through ``siyu.messaging.outbox`` during the unit of work
are sent after the commit and dropped on rollback.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from siyu.db.engine import READ_ONLY, create_engine, session_factory


@dataclass
class Database:
    """An engine and its session factory."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def open(cls, url: str, *, pooled: bool = True, inline: bool = False) -> Database:
        engine = create_engine(url, pooled=pooled, inline=inline)
        return cls(url=url, engine=engine, sessions=session_factory(engine))

    @asynccontextmanager
    async def unit_of_work(self, *, snapshot: bool = False) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits on success and rolls back on error.

        ``snapshot``: every statement reads the same snapshot of the database (PostgreSQL:
        REPEATABLE READ; SQLite's transactions always do). Requests that only read (GET) use
        it, so a page never mixes two moments (a count taken before a commit and a list after).
        """
        bind = self._snapshot_engine if snapshot else self.engine
        async with self.sessions(bind=bind) as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session that only reads; its transaction ends (rolled back) when it closes.

        On SQLite it begins a deferred transaction (a WAL snapshot), so it neither waits for
        nor blocks the process's writers. Writing in it is a bug: SQLite may refuse to upgrade
        the snapshot (``database is locked``), and nothing is committed anyway.
        """
        async with self.sessions(bind=self._read_engine) as session:
            yield session  # closing returns the connection, whose pool reset rolls back

    @functools.cached_property
    def _read_engine(self) -> AsyncEngine:
        """The engine with the READ_ONLY option (made once: each copy costs a few dozen µs);
        on PostgreSQL its transactions read one snapshot, as SQLite's do."""
        return self._snapshot_engine.execution_options(**{READ_ONLY: True})

    @functools.cached_property
    def _snapshot_engine(self) -> AsyncEngine:
        """PostgreSQL: REPEATABLE READ (one snapshot per transaction; READ COMMITTED takes a new
        one per statement). SQLite: the engine itself (a WAL transaction is one snapshot)."""
        if self.engine.dialect.name == "postgresql":
            return self.engine.execution_options(isolation_level="REPEATABLE READ")
        return self.engine

    async def dispose(self) -> None:
        await self.engine.dispose()

    @property
    def dialect(self) -> str:
        return str(self.engine.dialect.name)


def session_info(session: AsyncSession) -> dict[str, Any]:
    return session.sync_session.info
