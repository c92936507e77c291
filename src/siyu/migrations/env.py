"""Alembic environment: the URL comes from the config (set by ``siyu.db.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import siyu.models  # noqa: F401  (registers every table)
from siyu.db.base import Base
from siyu.db.engine import install_sqlite_pragmas

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
assert url, "sqlalchemy.url must be set"


def run_migrations_online() -> None:
    engine = create_engine(url)
    install_sqlite_pragmas(engine)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
