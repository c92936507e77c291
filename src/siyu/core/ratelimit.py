"""A token bucket per key (e.g. per client IP), in memory, thread-safe, bounded in size.

Per process: N API processes allow N times the rate, which is still a bound on what one
address can make Siyu write or send (the public radar routes use it)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    """``burst`` requests at once, then ``per_second`` on average, per key."""

    burst: int
    per_second: float
    max_keys: int = 100_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > self.max_keys:
                self._prune(now)
            return allowed

    def _prune(self, now: float) -> None:
        """Forget keys whose bucket has refilled (they are as good as new)."""
        full = self.burst / self.per_second
        for key, (_, at) in list(self._buckets.items()):
            if now - at >= full:
                del self._buckets[key]
        while len(self._buckets) > self.max_keys:  # still too many: drop the oldest
            del self._buckets[next(iter(self._buckets))]
