"""Engines and session factories for SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool


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


def create_engine(url: str, *, pooled: bool = True) -> AsyncEngine:
    """An async engine; ``pooled=False`` for short-lived event loops (worker threads)."""
    ensure_sqlite_dir(url)
    kwargs: dict[str, Any] = {}
    if not pooled:
        kwargs["poolclass"] = NullPool
    engine = create_async_engine(async_url(url), **kwargs)
    install_sqlite_pragmas(engine.sync_engine)
    if engine.dialect.name == "sqlite":
        # Take the write lock at BEGIN so concurrent writers queue on busy_timeout
        # instead of failing to upgrade a read lock.
        @event.listens_for(engine.sync_engine, "connect")
        def _no_pysqlite_tx(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)
