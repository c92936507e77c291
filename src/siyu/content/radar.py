"""Radar link tokens: ``payload.signature``, HMAC-SHA256 under a key derived from Siyu's
secret key. The payload names the corp, item, customer (0 when unknown), employee and expiry;
tampering with any byte or presenting it after expiry is rejected."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from siyu.core.errors import Forbidden


@dataclass(frozen=True)
class RadarClaim:
    corp_id: int
    item_id: int
    customer_id: int
    userid: str
    expires: int


def _key(secret_key: str) -> bytes:
    return hashlib.sha256(f"siyu-radar:{secret_key}".encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claim: RadarClaim, *, secret_key: str) -> str:
    payload = f"{claim.corp_id}:{claim.item_id}:{claim.customer_id}:{claim.userid}:{claim.expires}"
    body = _b64(payload.encode())
    sig = hmac.new(_key(secret_key), body.encode(), hashlib.sha256).digest()[:18]
    return f"{body}.{_b64(sig)}"


def verify(token: str, *, secret_key: str, now: float | None = None) -> RadarClaim:
    """The claim of a genuine, unexpired token; :class:`Forbidden` otherwise."""
    try:
        body, sig = token.split(".", 1)
        want = hmac.new(_key(secret_key), body.encode(), hashlib.sha256).digest()[:18]
        if not hmac.compare_digest(want, _unb64(sig)):
            raise ValueError("bad signature")
        corp, item, customer, userid, expires = _unb64(body).decode().split(":", 4)
        claim = RadarClaim(int(corp), int(item), int(customer), userid, int(expires))
    except (ValueError, UnicodeDecodeError) as exc:
        raise Forbidden("this link is not valid") from exc
    if claim.expires < (now if now is not None else time.time()):
        raise Forbidden("this link has expired")
    return claim
