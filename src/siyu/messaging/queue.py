"""The Huey app from settings: SqliteHuey by default, RedisHuey for ``redis://`` queue URLs."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy.engine import make_url

from siyu.core.settings import get_settings
from siyu.db.engine import ensure_sqlite_dir
from siyu.db.session import Database
from siyu.wecom.errors import WeComError

log = logging.getLogger(__name__)
T = TypeVar("T")


class ExpectedErrorsInOneLine(logging.Filter):
    """A job that failed on an error WeCom answered (:class:`WeComError`: a refusal, a rate
    limit, WeCom unreachable) is logged by Huey as one warning line, not a traceback: the error
    is expected, the job records what it means where it matters, and Huey retries the job if
    it has retries left. Any other exception keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, WeComError):
            record.msg, record.args = f"{record.getMessage()} {exc}", ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


#: Huey logs a failed job (``Unhandled exception in task …``) on its ``huey`` logger
logging.getLogger("huey").addFilter(ExpectedErrorsInOneLine())


def make_huey(queue_url: str) -> Huey:
    """A Huey instance for ``sqlite:///path`` or ``redis://host:port/db``."""
    if queue_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("siyu", url=queue_url, utc=True)
    url = make_url(queue_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise ValueError(f"SIYU_QUEUE_URL must be sqlite:///path or redis://..., not {queue_url}")
    ensure_sqlite_dir(queue_url)
    return SqliteHuey("siyu", filename=url.database, utc=True, timeout=30)


huey: Huey = make_huey(get_settings().queue_url)
#: seconds at most between two polls of an idle worker thread: Huey's poll interval without
#: its back-off. With the default back-off (up to 10 s) the first callback after a quiet spell
#: waited that long for its drain; an idle poll of the SQLite queue is one indexed read.
MAX_POLL_DELAY = 0.1


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer that runs in threads of another program and leaves its signals alone."""

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded(workers: int) -> EmbeddedConsumer:
    """Start worker threads and the periodic scheduler inside this process."""
    consumer = EmbeddedConsumer(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=True,
        flush_locks=True,
        max_delay=MAX_POLL_DELAY,
    )
    consumer.start()
    return consumer


_local = threading.local()
_disposing: set[asyncio.Task[None]] = set()


def worker_database() -> Database:
    """This thread's database handle for tasks.

    In a Huey worker thread it is pooled: the thread keeps one event loop for all its jobs
    (:func:`run_async`), so its connections are reused instead of opening one per unit of
    work (on SQLite a file open, pragmas and a schema parse each time), and SQLite runs inline
    on that loop (``siyu.db.inline``). Elsewhere (a job run inline, from a thread that never
    says when it ends) each job gets a fresh loop, so the handle is unpooled aiosqlite: a pool
    cannot outlive the loop its connections were made on.

    One engine per thread: SQLAlchemy initialises an engine on its first connection under a
    once-only lock, and two threads racing through it from two event loops can leave one of
    them waiting forever (seen with aiosqlite); separate engines never share that step.
    """
    url = get_settings().database_url
    db: Database | None = getattr(_local, "db", None)
    if db is None or db.url != url:
        if db is not None and _local_runner() is not None:
            # called from a job on this thread's loop: close the old handle's pool on it
            task = asyncio.get_running_loop().create_task(db.dispose())
            _disposing.add(task)  # the loop keeps only a weak reference to a task
            task.add_done_callback(_disposing.discard)
        own_loop = _local_runner() is not None  # SQLite then runs inline on it
        db = Database.open(url, pooled=own_loop, inline=own_loop)
        _local.db = db
    return db


def _local_runner() -> asyncio.Runner | None:
    return getattr(_local, "runner", None)


@huey.on_startup()
def _keep_a_loop() -> None:
    """A Huey worker thread starts: its jobs share one event loop (and pooled connections)."""
    _local.runner = asyncio.Runner(loop_factory=_loop_factory())


@huey.on_shutdown()
def _close_the_loop() -> None:
    """A Huey worker thread ends: close its connections and its event loop."""
    runner = _local_runner()
    if runner is None:
        return
    db: Database | None = getattr(_local, "db", None)
    try:
        if db is not None:
            runner.run(db.dispose())
    finally:
        _local.db = None
        _local.runner = None
        runner.close()


def run_async(fn: Callable[[Database], Awaitable[T]]) -> T:
    """Run an async job body with the worker database: on the thread's event loop in a Huey
    worker thread, else on a fresh one."""

    async def _main() -> T:
        return await fn(worker_database())

    runner = _local_runner()
    if runner is not None:
        return runner.run(_main())
    with asyncio.Runner(loop_factory=_loop_factory()) as fresh:
        return fresh.run(_main())


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when installed (it comes with uvicorn[standard]), as the API's:
    a job's loop turns for every query its aiosqlite thread answers."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux and macOS
        return None
    return uvloop.new_event_loop


def task_names() -> list[str]:
    return sorted(huey._registry._registry)
