"""Apply Alembic migrations programmatically (``siyu init``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from siyu.db.engine import ensure_sqlite_dir, sync_url

MIGRATIONS = Path(__file__).parent.parent / "migrations"  # siyu/migrations, above every domain


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option(
        "sqlalchemy.url", sync_url(database_url).render_as_string(hide_password=False)
    )
    return cfg


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database to ``revision`` (default: every branch head, one per domain)."""
    ensure_sqlite_dir(database_url)
    command.upgrade(alembic_config(database_url), revision)


def revision(database_url: str, message: str) -> None:
    """Autogenerate a new migration against the database (developers only)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
