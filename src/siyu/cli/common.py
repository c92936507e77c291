"""Shared CLI plumbing: one clear sentence and a non-zero exit on any expected error."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from siyu.core import logs
from siyu.core.errors import SiyuError
from siyu.core.secrets import SecretDecryptError
from siyu.core.settings import get_settings
from siyu.db.session import Database
from siyu.wecom.errors import WeComError

console = Console()
err = Console(stderr=True)
P = ParamSpec("P")
T = TypeVar("T")


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]Error:[/] {message}")
    raise typer.Exit(code)


def friendly(fn: Callable[P, T]) -> Callable[P, T]:
    """Turn expected errors into one sentence on stderr and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except SiyuError as exc:
            fail(exc.message)
        except SecretDecryptError as exc:
            fail(str(exc))
        except WeComError as exc:
            fail(f"WeCom refused {exc.path}: {exc.errmsg} (errcode {exc.errcode})")
        except OSError as exc:
            fail(f"{exc.strerror or exc} ({getattr(exc, 'filename', '') or 'I/O'})")
        raise AssertionError("unreachable")

    return wrapper


def run_db(fn: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``fn`` with this process's database on a fresh event loop."""

    async def main() -> T:
        db = Database.open(get_settings().database_url)
        try:
            return await fn(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


def setup_logging(level: str | None = None) -> None:
    """Log to stderr at ``level`` (the settings' by default), never showing a secret."""
    logs.configure(level or get_settings().log_level)


def secret_key() -> str:
    return get_settings().secret_key.get_secret_value()
