"""Fault switches and per-path call counters of the sandbox's WeCom API."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

# fault name -> what the faulted call answers: (HTTP status, errcode, errmsg)
FAULT_REPLIES: dict[str, tuple[int, int, str]] = {
    "server_error": (502, -1, "Bad Gateway"),
    "busy": (200, -1, "system busy"),
    "rate_limit": (200, 45009, "api freq out of limit"),
    "concurrency_limit": (200, 45033, "api concurrent out of limit"),
}


@dataclass
class FaultState:
    """Counts of upcoming API calls to fail, and latency added to every call."""

    rate_limit: int = 0
    concurrency_limit: int = 0
    server_error: int = 0
    busy: int = 0
    latency_ms: int = 0


class Faults:
    """Thread-safe fault switches; :meth:`take` consumes one pending fault per API call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state = FaultState()
        self.stats: Counter[str] = Counter()

    def set(self, **changes: Any) -> dict[str, Any]:
        with self._lock:
            for key, value in changes.items():
                if value is not None and hasattr(self.state, key):
                    setattr(self.state, key, max(0, int(value)))
            return asdict(self.state)

    def clear(self) -> dict[str, Any]:
        with self._lock:
            self.state = FaultState()
            return asdict(self.state)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self.state)

    def count(self, path: str) -> None:
        with self._lock:
            self.stats[path] += 1

    def stats_snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.stats)

    def reset_stats(self) -> None:
        with self._lock:
            self.stats.clear()

    @property
    def latency(self) -> float:
        return self.state.latency_ms / 1000.0

    def take(self) -> tuple[int, int, str] | None:
        """The reply of the next pending fault (consuming it), or None."""
        with self._lock:
            for name, reply in FAULT_REPLIES.items():
                left = getattr(self.state, name)
                if left > 0:
                    setattr(self.state, name, left - 1)
                    return reply
        return None
