"""Shared CLI plumbing: one clear sentence and a non-zero exit on any expected error."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from siyu.core import keys, logs
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


def refuse_exposed_defaults(host: str) -> None:
    """Exit 2 with a sentence when ``host`` is reachable from other machines and the secret
    key is the default or short, or ``SIYU_PUBLIC_URL`` is unset (absolute URLs would follow
    the request's Host header). A loopback-only demo may keep both defaults."""
    if keys.is_loopback(host):
        return
    weak = keys.weakness(secret_key())
    if weak:
        fail(f"{weak}, and Siyu would listen on {host}: {keys.FIX}", code=2)
    if not get_settings().public_url:
        fail(
            f"SIYU_PUBLIC_URL is not set, and Siyu would listen on {host}: set it to the URL "
            "people and WeCom reach Siyu at (e.g. https://scrm.example.com); sign-in redirects, "
            "radar links and hosted pages are built from it",
            code=2,
        )


def secret_key_check() -> tuple[bool, str, str]:
    """`siyu doctor`'s verdict on the secret key: (ok, detail, fix)."""
    weak = keys.weakness(secret_key())
    host = get_settings().host
    if weak is None:
        return True, "set, at least 32 characters and not the development default", ""
    if keys.is_loopback(host):
        return True, f"{weak}: accepted only because SIYU_HOST is loopback ({host})", keys.FIX
    return False, f"{weak}; `siyu serve` refuses it on {host}", keys.FIX
