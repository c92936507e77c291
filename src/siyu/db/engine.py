"""Engines and session factories for SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.util import await_only

from siyu.db import writelock
from siyu.db.inline import connector


def sync_url(url: str) -> URL:
    """The URL with a synchronous driver (Alembic, admin tasks)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.set(drivername="sqlite")
    if u.get_backend_name() == "postgresql":
        return u.set(drivername="postgresql+psycopg")
    return u


def async_url(url: str) -> URL:
    """The URL with an asyncio driver (aiosqlite, psycopg 3)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return u.set(drivername="sqlite+aiosqlite")
    if u.get_backend_name() == "postgresql":
        return u.set(drivername="postgresql+psycopg")
    return u


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite database file."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def install_sqlite_pragmas(sync_engine: Any) -> None:
    """WAL, foreign keys, synchronous NORMAL and a busy timeout on every SQLite connection."""
    if sync_engine.dialect.name == "sqlite":
        event.listen(sync_engine, "connect", _sqlite_pragmas)


READ_ONLY = "siyu_read_only"  # execution option: a read transaction (SQLite: deferred BEGIN)
LOCK_TIMEOUT = 30.0  # seconds, as SQLite's busy_timeout


def create_engine(url: str, *, pooled: bool = True, inline: bool = False) -> AsyncEngine:
    """An async engine; ``pooled=False`` for short-lived event loops (worker threads).

    ``inline``: a SQLite file is driven by ``sqlite3`` on the event loop's own thread (for a
    loop no request shares: see ``siyu.db.inline``); ignored for other databases.
    """
    ensure_sqlite_dir(url)
    kwargs: dict[str, Any] = {}
    if not pooled:
        kwargs["poolclass"] = NullPool
    database = make_url(url).database
    if (
        inline
        and make_url(url).get_backend_name() == "sqlite"
        and database
        not in (
            None,
            "",
            ":memory:",
        )
    ):
        kwargs["async_creator"] = connector(str(database))
    engine = create_async_engine(async_url(url), **kwargs)
    install_sqlite_pragmas(engine.sync_engine)
    if engine.dialect.name == "sqlite":
        _install_sqlite_transactions(engine, writelock.for_database(_lock_key(url)))
    return engine


def _lock_key(url: str) -> str:
    database = make_url(url).database or ""
    if database in ("", ":memory:"):
        return f"memory:{id(object())}"  # a private database per engine: nothing to share
    return str(Path(database).resolve())


def _install_sqlite_transactions(engine: AsyncEngine, lock: writelock.WriteLock) -> None:
    """Write transactions take the write lock at BEGIN, in this process's FIFO order.

    ``BEGIN IMMEDIATE`` so that concurrent writers queue instead of failing to upgrade a read
    lock; before it, the process's :class:`~siyu.db.writelock.WriteLock`, so that a waiter of
    this process wakes when the holder commits instead of sleeping in SQLite's busy handler.
    Connections with the ``READ_ONLY`` execution option begin a deferred read transaction
    (WAL: a snapshot, no lock), so reads never queue behind writers.
    """
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    @event.listens_for(sync_engine, "connect")
    def _no_pysqlite_tx(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(sync_engine, "begin")
    def _begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        owner = writelock.owner_of(conn.connection)
        await_only(lock.acquire(owner, within=LOCK_TIMEOUT))
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            lock.release(owner)
            raise

    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_connection: Any) -> None:
        try:
            commit(dbapi_connection)
        finally:
            lock.release(writelock.owner_of(dbapi_connection))

    def do_rollback(dbapi_connection: Any) -> None:
        try:
            rollback(dbapi_connection)
        finally:
            lock.release(writelock.owner_of(dbapi_connection))

    # per engine: this dialect instance belongs to this engine only
    setattr(dialect, "do_commit", do_commit)  # noqa: B010
    setattr(dialect, "do_rollback", do_rollback)  # noqa: B010

    def _drop(dbapi_connection: Any, *_args: Any) -> None:
        lock.release(writelock.owner_of(dbapi_connection))

    # a connection that goes away without COMMIT/ROLLBACK must not keep the lock
    for name in ("checkin", "close", "close_detached", "invalidate"):
        event.listen(sync_engine.pool, name, _drop)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)
