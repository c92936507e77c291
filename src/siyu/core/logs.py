"""Logging for the commands: one format, and no secret in any line.

WeCom's API carries secrets in URLs (``gettoken?corpid=…&corpsecret=…``, ``?access_token=…``)
and httpx logs every request URL at INFO. :func:`configure` quiets httpx and httpcore to
WARNING and formats every record through :class:`RedactingFormatter`, which masks the values
of secret query parameters, ``Bearer`` credentials and Siyu API keys in the message, the
exception and the stack alike.
"""

from __future__ import annotations

import logging
import re
from typing import IO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "***"
#: query or form parameters whose value is a secret (WeCom's names and ours)
SECRET_PARAMS = (
    "corpsecret",
    "secret",
    "access_token",
    "suite_access_token",
    "provider_access_token",
    "ticket",
    "jsapi_ticket",
    "password",
    "encodingaeskey",
    "aes_key",
    "token",
)
_PARAM = re.compile(
    r"(?i)\b(" + "|".join(re.escape(p) for p in SECRET_PARAMS) + r")([\"']?\s*[=:]\s*[\"']?)"
    r"([^&\s\"',;)}\]]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_API_KEY = re.compile(r"\bsy_[A-Za-z0-9_-]{8,}")
#: loggers that write request URLs (with their secrets) at INFO
NOISY = ("httpx", "httpcore", "hpack", "aiohttp.client")


def redact(text: str) -> str:
    """``text`` with the values of secret parameters, bearer credentials and API keys masked."""
    text = _PARAM.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _API_KEY.sub("sy_" + MASK, text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message, exception, stack) never shows a secret."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _Ours(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`configure` installs (recognised so it is installed once)."""


def configure(level: str = "INFO", *, stream: IO[str] | None = None) -> logging.Handler:
    """Log ``level`` and above to ``stream`` (stderr) through the redacting formatter."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _Ours)), None)
    if handler is None:
        handler = _Ours(stream)
        root.addHandler(handler)
    handler.setFormatter(RedactingFormatter(FORMAT))
    root.setLevel(level.upper())
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
