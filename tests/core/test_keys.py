"""One derived key per purpose: a token of one purpose never verifies as another, and nothing
signed with the master key itself is accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator

import pytest
from itsdangerous import URLSafeTimedSerializer

from siyu.accounts import sessions
from siyu.content import radar
from siyu.core import keys
from siyu.core import secrets as at_rest
from siyu.core.errors import Forbidden
from siyu.core.settings import DEFAULT_SECRET, get_settings

MASTER = "a-master-key-for-these-tests-0123456789abcdef"
SESSION = {"u": 1, "e": 0, "c": "csrf", "s": int(time.time())}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _cookie(key: bytes | str) -> str:
    return URLSafeTimedSerializer(key, salt="session").dumps(SESSION)


def _radar_token(key: bytes | str) -> str:
    body = _b64(b"1:2:3:zhangsan:9999999999")
    k = key.encode() if isinstance(key, str) else key
    return f"{body}.{_b64(hmac.new(k, body.encode(), hashlib.sha256).digest()[:18])}"


def test_the_purposes_have_different_keys() -> None:
    assert keys.derive(MASTER, "sessions") != keys.derive(MASTER, "radar")
    assert MASTER.encode() not in (keys.derive(MASTER, "sessions"), keys.derive(MASTER, "radar"))


def test_a_session_cookie_needs_the_sessions_key() -> None:
    value, _ = sessions.issue(MASTER, user_id=1, epoch=0)
    assert sessions.read(MASTER, value, idle=3600) is not None
    assert (
        sessions.read(MASTER, idle=3600, value=_cookie(keys.derive(MASTER, "sessions"))) is not None
    )
    # signed with the radar key, or with the master key itself: refused
    assert sessions.read(MASTER, idle=3600, value=_cookie(keys.derive(MASTER, "radar"))) is None
    assert sessions.read(MASTER, idle=3600, value=_cookie(MASTER)) is None


def test_a_radar_token_needs_the_radar_key() -> None:
    assert radar.verify(_radar_token(keys.derive(MASTER, "radar")), secret_key=MASTER).item_id == 2
    for wrong in (keys.derive(MASTER, "sessions"), MASTER):
        with pytest.raises(Forbidden):
            radar.verify(_radar_token(wrong), secret_key=MASTER)
    # a session cookie's signature presented as a radar token: refused
    cookie = sessions.issue(MASTER, user_id=1, epoch=0)[0]
    with pytest.raises(Forbidden):
        radar.verify(cookie, secret_key=MASTER)


def test_radar_links_sent_before_the_upgrade_still_open() -> None:
    legacy = hashlib.sha256(f"siyu-radar:{MASTER}".encode()).digest()
    assert radar.verify(_radar_token(legacy), secret_key=MASTER).userid == "zhangsan"


def test_weak_keys_and_loopback() -> None:
    assert keys.weakness(DEFAULT_SECRET) is not None
    assert keys.weakness("short-but-random") is not None
    assert keys.weakness(MASTER) is None
    assert all(keys.is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"))
    assert not any(keys.is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.5", "siyu.example.com"))


OLD = "the-key-before-the-rotation-0123456789abcdef"
NEW = "the-key-after-the-rotation-0123456789abcdefg"


@pytest.fixture
def rotating(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SIYU_SECRET_KEY is NEW; SIYU_SECRET_KEY_PREVIOUS is OLD."""
    monkeypatch.setenv("SIYU_SECRET_KEY", NEW)
    monkeypatch.setenv("SIYU_SECRET_KEY_PREVIOUS", OLD)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _signed_by_old() -> tuple[str, str, str]:
    cookie = sessions.issue(OLD, user_id=7, epoch=0)[0]
    token = radar.sign(radar.RadarClaim(1, 2, 3, "lisi", 9999999999), secret_key=OLD)
    return cookie, token, at_rest.encrypt("corp-secret", secret_key=OLD)


def test_without_the_previous_key_old_values_are_refused() -> None:
    cookie, token, stored = _signed_by_old()
    assert sessions.read(NEW, cookie, idle=3600) is None
    with pytest.raises(Forbidden):
        radar.verify(token, secret_key=NEW)
    with pytest.raises(at_rest.SecretDecryptError):
        at_rest.decrypt(stored, secret_key=NEW)


def test_during_a_rotation_the_previous_key_still_verifies(rotating: None) -> None:
    cookie, token, stored = _signed_by_old()
    data = sessions.read(NEW, cookie, idle=3600)
    assert data is not None and data.user_id == 7
    assert radar.verify(token, secret_key=NEW).userid == "lisi"
    assert at_rest.decrypt(stored, secret_key=NEW) == "corp-secret"
    # new values use the new key alone
    fresh = sessions.issue(NEW, user_id=8, epoch=0)[0]
    assert URLSafeTimedSerializer(keys.derive(NEW, "sessions"), salt="session").loads(fresh)
    with pytest.raises(at_rest.SecretDecryptError):
        at_rest.decrypt(at_rest.encrypt("x", secret_key=NEW), secret_key=OLD)
