"""SQLite for an event loop of its own: ``sqlite3`` called inline, with aiosqlite's surface.

SQLAlchemy's async SQLite dialect drives an aiosqlite connection, which runs every call in a
thread of its own: each statement is a queue hand-off, a thread wake-up, a GIL hand-over and an
event-loop wake-up to deliver the result, several times per statement (cursor, execute, fetch,
close). For a worker job that is most of the cost of a small statement (measured by
``benchmarks/callback_ingest.py --worker-process``: about half of the worker's CPU).

A Huey worker thread runs its jobs on an event loop nobody else uses, so there a statement may
simply run on the loop's thread. :func:`connector` gives ``create_async_engine(...,
async_creator=...)`` connections that look like aiosqlite's to the dialect but call
``sqlite3`` directly. A statement then blocks its loop for as long as SQLite works, which is
what a job waits for anyway; the API's event loop, shared by every request, keeps aiosqlite.
Waiting for the write lock stays asynchronous: ``siyu.db.writelock`` is awaited before
``BEGIN IMMEDIATE``, so a job only blocks in SQLite's busy handler when another process
writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any


class _Requests:
    """aiosqlite's request queue (the dialect puts its isolation-level changes there),
    answered at once on the caller's thread."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    def __aiter__(self) -> InlineCursor:
        return self

    async def __anext__(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class InlineConnection:
    """The parts of ``aiosqlite.Connection`` SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._tx = _Requests()

    @property
    def _connection(self) -> sqlite3.Connection | None:  # the dialect checks it is open
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._open().cursor())

    async def commit(self) -> None:
        self._open().commit()

    async def rollback(self) -> None:
        self._open().rollback()

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._open().create_function(*args, **kw)


def connector(path: str) -> Callable[[], Awaitable[InlineConnection]]:
    """An ``async_creator`` for ``create_async_engine``: inline connections to ``path``."""

    async def connect() -> InlineConnection:
        # check_same_thread off: a pool may close a connection from the thread that disposes it
        return InlineConnection(sqlite3.connect(path, check_same_thread=False))

    return connect
