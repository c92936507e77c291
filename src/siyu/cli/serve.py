"""`siyu serve` and `siyu worker`."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from siyu.cli.common import console, setup_logging
from siyu.core.runtime import tune_gc
from siyu.core.settings import get_settings


def serve(
    host: Annotated[str | None, typer.Option(help="default SIYU_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default SIYU_PORT")] = None,
    workers: Annotated[
        int | None, typer.Option(help="worker threads in this process (0 = none)")
    ] = None,
) -> None:
    """Serve the API, the console and the WeCom callback, with worker threads inside."""
    from siyu.api.app import create_app

    settings = get_settings()
    setup_logging()
    h, p = host or settings.host, port or settings.port
    console.print(f"Siyu on http://{h}:{p}  (API docs: http://{h}:{p}/api/docs)")
    app = create_app(settings, workers=workers)
    tune_gc()
    uvicorn.run(app, host=h, port=p, log_level="info")


def worker(
    workers: Annotated[int, typer.Option(help="worker threads")] = 4,
    periodic: Annotated[bool, typer.Option(help="also run the periodic jobs")] = True,
) -> None:
    """Run queue workers (any number of these processes, on any number of machines)."""
    from huey.consumer import Consumer

    import siyu.worker.tasks  # noqa: F401  (registers every task)
    from siyu.worker.app import MAX_POLL_DELAY, huey

    setup_logging()
    console.print(f"Siyu worker: {workers} threads on {get_settings().queue_url}")
    tune_gc()
    # flush_locks: a task lock left by a killed worker must not block its job forever.
    Consumer(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=periodic,
        flush_locks=True,
        max_delay=MAX_POLL_DELAY,
    ).run()
