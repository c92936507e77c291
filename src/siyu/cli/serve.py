"""`siyu serve` and `siyu worker`."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Annotated

import typer
import uvicorn

from siyu.cli.common import console, refuse_exposed_defaults, setup_logging
from siyu.core.runtime import tune_gc
from siyu.core.settings import get_settings


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(
    host: Annotated[str | None, typer.Option(help="default SIYU_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default SIYU_PORT")] = None,
    workers: Annotated[
        int | None, typer.Option(help="worker threads, default SIYU_WORKERS (0 = none)")
    ] = None,
) -> None:
    """Serve the API, the console and the WeCom callback, with its workers.

    The workers run in a child `siyu worker` process that stops with this one
    (SIYU_WORKER_PROCESS=false: as threads inside it). Off loopback, refuses the development or a
    short SIYU_SECRET_KEY and an unset SIYU_PUBLIC_URL.
    """
    from siyu.api.app import create_app
    from siyu.worker import child

    settings = get_settings()
    setup_logging()
    h, p = host or settings.host, port or settings.port
    refuse_exposed_defaults(h)
    n = settings.workers if workers is None else workers
    console.print(f"Siyu on http://{h}:{p}  (API docs: http://{h}:{p}/api/docs)")
    proc = child.start(n) if n > 0 and settings.worker_process else None
    # Uvicorn re-raises the SIGTERM it handled once it has shut down; exit then, but through
    # the `finally` below, which stops the worker process
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        app = create_app(settings, workers=0 if proc is not None else n)
        tune_gc()
        # log_config=None: uvicorn's loggers go through ours (one format, secrets masked)
        uvicorn.run(app, host=h, port=p, log_level="info", log_config=None)
    finally:
        if proc is not None:
            child.stop(proc)


def worker(
    workers: Annotated[int, typer.Option(help="worker threads")] = 4,
    periodic: Annotated[bool, typer.Option(help="also run the periodic jobs")] = True,
    parent: Annotated[
        int | None, typer.Option(hidden=True, help="stop when this process is gone")
    ] = None,
) -> None:
    """Run queue workers (any number of these processes, on any number of machines).

    Unless SIYU_HOST is loopback, refuses the development or a short SIYU_SECRET_KEY and an
    unset SIYU_PUBLIC_URL.
    """
    if parent is None:  # the child of `siyu serve` was checked by its parent
        refuse_exposed_defaults(get_settings().host)
    else:
        # `siyu serve` stops its child with SIGINT: take it even when SIGINT was inherited as
        # ignored (nohup, `make test &`), also before Huey installs its own handler
        signal.signal(signal.SIGINT, signal.default_int_handler)

    try:
        _run_worker(workers, periodic, parent)
    except KeyboardInterrupt:  # a SIGINT before Huey took it over: stop quietly
        return


def _run_worker(workers: int, periodic: bool, parent: int | None) -> None:
    import siyu.worker.tasks  # noqa: F401  (registers every task)
    from siyu.messaging.queue import MAX_POLL_DELAY, huey
    from siyu.worker import child

    setup_logging()
    # flush_locks: a task lock left by a killed worker must not block its job forever.
    consumer = child.WorkerConsumer(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=periodic,
        flush_locks=True,
        max_delay=MAX_POLL_DELAY,
        # the child of `siyu serve`: its running jobs get as long as serve's stop gives them
        shutdown_timeout=child.GRACE if parent is not None else None,
    )
    if parent is not None:  # the child of `siyu serve`: it stops when serve is gone
        child.watch_parent(parent, consumer)
    console.print(f"Siyu worker: {workers} threads on {get_settings().queue_url}")
    tune_gc()
    consumer.run()
