"""Signed session cookies and the CSRF defence.

The session cookie ``siyu_session`` is an itsdangerous-signed, timestamped payload
``{"u": user id, "e": session epoch, "c": CSRF token}``; HttpOnly, SameSite=Lax, Secure when
the public URL is https. CSRF: double submit bound to the session — the CSRF token is also
sent in the readable cookie ``siyu_csrf``; every unsafe request authenticated by the session
cookie must carry the header ``X-Siyu-CSRF`` equal to the token inside the signed session.
A cross-site page can neither read the cookie nor set a custom header without CORS, so a
forged request fails. API-key requests carry no ambient credentials and need no token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from siyu.core import keys

SESSION_COOKIE = "siyu_session"
CSRF_COOKIE = "siyu_csrf"
CSRF_HEADER = "X-Siyu-CSRF"
MAX_AGE = 7 * 24 * 3600
STATE_MAX_AGE = 600


@dataclass(frozen=True)
class SessionData:
    user_id: int
    epoch: int
    csrf: str


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    """Signed under the sessions key derived from the master key (never the master itself)."""
    return URLSafeTimedSerializer(keys.derive(secret_key, "sessions"), salt=salt)


def issue(secret_key: str, *, user_id: int, epoch: int) -> tuple[str, str]:
    """A new session cookie value and its CSRF token."""
    csrf = secrets.token_urlsafe(24)
    value = _serializer(secret_key, "session").dumps({"u": user_id, "e": epoch, "c": csrf})
    return value, csrf


def read(secret_key: str, value: str) -> SessionData | None:
    """The session inside a cookie, or None when forged, garbled or expired."""
    try:
        data: Any = _serializer(secret_key, "session").loads(value, max_age=MAX_AGE)
        return SessionData(user_id=int(data["u"]), epoch=int(data["e"]), csrf=str(data["c"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def sign_state(secret_key: str, data: dict[str, Any]) -> str:
    """The OAuth ``state``: signed so the callback trusts its corp and next page."""
    return _serializer(secret_key, "oauth-state").dumps(data)


def read_state(secret_key: str, value: str) -> dict[str, Any] | None:
    try:
        data = _serializer(secret_key, "oauth-state").loads(value, max_age=STATE_MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None
