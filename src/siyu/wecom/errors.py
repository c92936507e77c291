"""The WeCom error tree: every failure the client raises is a :class:`WeComError`.

::

    WeComError                 any non-zero errcode WeCom answered (errcode, errmsg, path)
    ├── WeComTokenError        the access token was rejected even after a refresh and replay
    │                          (40014, 41001, 42001, 42009), or gettoken failed (40001, 40013)
    ├── WeComRateLimited       45009 / 45033 still answered when the retry budget ran out
    └── WeComUnavailable       HTTP 5xx, connect/read timeouts or errcode -1 (system busy) still
                               seen when the retry budget ran out; errcode is -1 for transport
                               failures and errmsg says what happened
"""

from __future__ import annotations

__all__ = [
    "RATE_LIMIT_ERRCODES",
    "TOKEN_ERRCODES",
    "WeComError",
    "WeComRateLimited",
    "WeComTokenError",
    "WeComUnavailable",
]

#: errcodes after which the client drops its cached token, fetches a new one and replays once
TOKEN_ERRCODES = frozenset({40014, 41001, 42001, 42009})
#: errcodes retried with backoff
RATE_LIMIT_ERRCODES = frozenset({45009, 45033})
BUSY_ERRCODE = -1


class WeComError(Exception):
    """WeCom answered a non-zero ``errcode`` for ``path`` (e.g. ``externalcontact/get``)."""

    def __init__(self, errcode: int, errmsg: str, path: str) -> None:
        super().__init__(errcode, errmsg, path)
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path

    def __str__(self) -> str:
        return f"WeCom {self.path}: errcode {self.errcode}: {self.errmsg}"


class WeComTokenError(WeComError):
    """The token could not be obtained, or was still rejected after one refresh."""


class WeComRateLimited(WeComError):
    """WeCom kept answering 45009 / 45033 until the retry budget was spent."""


class WeComUnavailable(WeComError):
    """WeCom kept failing (HTTP 5xx, timeouts, errcode -1) until the retry budget was spent."""
