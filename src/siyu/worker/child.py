"""`siyu serve`'s workers in a child `siyu worker` process (``SIYU_WORKER_PROCESS``, the default).

Worker threads inside `siyu serve` share the API's GIL: while a drain applies a batch of events,
callbacks wait for their acknowledgement, and the other way round. A child process has a GIL
of its own; on SQLite it applies what the API spooled (``siyu.events.spool``), on PostgreSQL
what it stored, exactly as a `siyu worker` started by hand would.

The child lives and dies with its parent:

- `siyu serve` stopping (Ctrl-C, SIGTERM) stops it gracefully: SIGINT, which Huey's consumer
  takes as "finish the running jobs", then SIGKILL after a grace period;
- a parent that dies without stopping it (SIGKILL, a crash) is noticed by the child itself, which
  watches its parent's pid and stops the same graceful way. Nothing is lost either way: what
  the API acknowledged is durable, and a job a killed worker held is retried.

The watch does not signal: it asks the consumer itself to stop (:class:`WorkerConsumer`), which
its main loop notices within 0.1 s whenever it runs, even before Huey has installed its
handlers. A SIGINT sent to itself was lost when it arrived before Huey's handler under a SIGINT
inherited as ignored (``nohup``, ``make test &``, many process managers): the orphan then ran
forever. An orphan's running jobs get :data:`GRACE` seconds, as under `siyu serve`'s stop.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from huey.consumer import Consumer, ConsumerStopped

log = logging.getLogger(__name__)
#: seconds a stopping worker gets to finish its running jobs before it is killed
GRACE = 30.0


def start(workers: int) -> subprocess.Popen[bytes]:
    """Start `siyu worker --workers N` as this process's child (same settings, from the env)."""
    cmd = [sys.executable, "-m", "siyu.cli.main", "worker", "--workers", str(workers)]
    # a process group of its own: a terminal's Ctrl-C reaches `siyu serve` alone, which then
    # stops the child once (a second SIGINT would cut Huey's graceful shutdown short)
    return subprocess.Popen([*cmd, "--parent", str(os.getpid())], process_group=0)


def stop(proc: subprocess.Popen[bytes], grace: float = GRACE) -> None:
    """Stop the child gracefully; kill it if its jobs take longer than ``grace`` seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log.warning("the worker process did not stop within %.0f s: killed", grace)
        proc.kill()
        proc.wait()


class WorkerConsumer(Consumer):  # type: ignore[misc]
    """Huey's consumer with a stop request that needs no signal (:meth:`request_stop`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stop_requested = threading.Event()

    def request_stop(self) -> None:
        """Stop as on SIGINT (finish the running jobs), from any thread, at any time: before
        :meth:`run` (the request waits for it) or while it runs."""
        self._stop_requested.set()

    def loop(self, health_check_ts: float | None = None) -> float | None:
        if self._stop_requested.is_set():
            self._logger.info("Stop requested: finishing the running jobs")
            self.stop(graceful=True)
            raise ConsumerStopped
        return super().loop(health_check_ts)  # type: ignore[no-any-return]


def watch_parent(parent: int, consumer: WorkerConsumer, interval: float = 0.5) -> threading.Thread:
    """Stop ``consumer`` (gracefully) once ``parent`` is no longer this process's parent."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        log.warning("siyu serve (pid %d) is gone: this worker stops", parent)
        consumer.request_stop()

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread
