"""Signed session cookies and the CSRF defence.

The session cookie ``siyu_session`` is an itsdangerous-signed, timestamped payload
``{"u": user id, "e": session epoch, "c": CSRF token, "s": sign-in time}``; HttpOnly,
SameSite=Lax, Secure when the public URL is https. A session ends after ``session_idle_minutes``
without a request (the cookie's signing time is its last activity; a cookie in use is signed
anew at most every :data:`REFRESH_AFTER` seconds) and :data:`MAX_AGE` after sign-in at the
latest; logging out bumps the user's session epoch, so a copied cookie dies with it.

CSRF: double submit bound to the session — the CSRF token is also sent in the readable cookie
``siyu_csrf``; every unsafe request authenticated by the session cookie must carry the header
``X-Siyu-CSRF`` equal to the token inside the signed session. A cross-site page can neither
read the cookie nor set a custom header without CORS, so a forged request fails. API-key
requests carry no ambient credentials and need no token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

from siyu.core import keys

SESSION_COOKIE = "siyu_session"
CSRF_COOKIE = "siyu_csrf"
CSRF_HEADER = "X-Siyu-CSRF"
#: a session ends this long after sign-in, however busy (the idle timeout ends it sooner)
MAX_AGE = 7 * 24 * 3600
#: a cookie in use is signed anew (its idle clock restarted) at most this often
REFRESH_AFTER = 5 * 60
STATE_MAX_AGE = 600
#: the browser's half of a WeCom sign-in: its signed nonce; the state is a keyed hash of it
OAUTH_COOKIE = "siyu_oauth"


@dataclass(frozen=True)
class SessionData:
    user_id: int
    epoch: int
    csrf: str
    started: int  # when the user signed in (unix seconds)
    signed: int  # when this cookie value was signed: the last activity it vouches for


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    """Signed under the sessions key derived from the master key (never the master itself);
    during a rotation the previous key's sessions key still verifies (itsdangerous signs with
    the last key of the list and verifies with any)."""
    return URLSafeTimedSerializer(list(reversed(keys.verifying(secret_key, "sessions"))), salt=salt)


def issue(
    secret_key: str,
    *,
    user_id: int,
    epoch: int,
    csrf: str | None = None,
    started: int | None = None,
) -> tuple[str, str]:
    """A session cookie value and its CSRF token: a new session, or (``csrf`` and ``started``
    given) the same session signed anew, which restarts its idle clock."""
    csrf = csrf or secrets.token_urlsafe(24)
    data = {
        "u": user_id,
        "e": epoch,
        "c": csrf,
        "s": int(time.time()) if started is None else started,
    }
    return _serializer(secret_key, "session").dumps(data), csrf


def read(secret_key: str, value: str, *, idle: int) -> SessionData | None:
    """The session inside a cookie, or None when forged, garbled, idle for more than ``idle``
    seconds or older than :data:`MAX_AGE`."""
    try:
        data, signed = _serializer(secret_key, "session").loads(
            value, max_age=min(idle, MAX_AGE), return_timestamp=True
        )
        session = SessionData(
            user_id=int(data["u"]),
            epoch=int(data["e"]),
            csrf=str(data["c"]),
            started=int(data["s"]),
            signed=int(signed.timestamp()),
        )
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return session if time.time() - session.started <= MAX_AGE else None


def refreshed(secret_key: str, data: SessionData, *, now: float | None = None) -> str | None:
    """The cookie signed anew when the one presented is older than :data:`REFRESH_AFTER`."""
    if (time.time() if now is None else now) - data.signed < REFRESH_AFTER:
        return None
    value, _ = issue(
        secret_key, user_id=data.user_id, epoch=data.epoch, csrf=data.csrf, started=data.started
    )
    return value


def cookie_age(settings_idle: int, started: int | None = None) -> int:
    """How long the browser keeps the cookies: the idle timeout, within the session's life."""
    left = MAX_AGE if started is None else MAX_AGE - (int(time.time()) - started)
    return max(0, min(settings_idle, left))


def set_cookies(response: Response, value: str, csrf: str, *, max_age: int, secure: bool) -> None:
    """The HttpOnly session cookie and the readable CSRF cookie, both SameSite=Lax."""
    for name, content, httponly in ((SESSION_COOKIE, value, True), (CSRF_COOKIE, csrf, False)):
        response.set_cookie(
            name,
            content,
            max_age=max_age,
            httponly=httponly,
            samesite="lax",
            secure=secure,
            path="/",
        )


def _state_of(secret_key: str, nonce: str) -> str:
    key = keys.derive(secret_key, "sessions")
    return hmac.new(key, f"oauth-state:{nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def sign_state(secret_key: str, data: dict[str, Any]) -> tuple[str, str]:
    """The OAuth ``state`` and the value of the browser's :data:`OAUTH_COOKIE`.

    The cookie holds a random nonce with ``data`` (corp, next page), signed so the callback
    trusts them; the state is a keyed hash of that nonce, 40 hex characters (WeCom takes
    a-zA-Z0-9, 128 bytes at most). The callback needs both, so a sign-in only completes in the
    browser that started it (no login CSRF: a state an attacker obtained for themselves fails
    in the victim's browser)."""
    nonce = secrets.token_urlsafe(16)
    cookie = _serializer(secret_key, "oauth-state").dumps({**data, "n": nonce})
    return _state_of(secret_key, nonce), cookie


def read_state(secret_key: str, state: str, cookie: str | None) -> dict[str, Any] | None:
    """The data of a fresh sign-in started in this browser (``cookie``) for this ``state``."""
    if not cookie:
        return None
    try:
        data = _serializer(secret_key, "oauth-state").loads(cookie, max_age=STATE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    if not hmac.compare_digest(state.encode(), _state_of(secret_key, data["n"]).encode()):
        return None
    return data
