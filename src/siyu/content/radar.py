"""Radar link tokens: ``payload.signature``, HMAC-SHA256 under the radar key derived from
Siyu's secret key (:mod:`siyu.core.keys`). The payload names the corp, item, customer (0 when
unknown), employee and expiry; tampering with any byte or presenting it after expiry is
rejected. Both parts are strict unpadded base64url. A link sent in a broadcast names the
broadcast instead of a customer (one message per sender: no per-customer token). The item's
link generation (``epoch``) lets the console revoke every link of an item at once; one link is
revoked by its signature (:func:`link_id`).

Open references (``sign_open``) let the article page report its read time for its own open
only; OAuth ``state`` values are open references too."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from siyu.core import keys
from siyu.core.errors import Forbidden


@dataclass(frozen=True)
class RadarClaim:
    corp_id: int
    item_id: int
    customer_id: int
    userid: str
    expires: int
    broadcast_id: int = 0
    #: the item's link generation when signed: "revoke every link" moves the item past it
    epoch: int = 0


def _key(secret_key: str) -> bytes:
    """The radar key: derived from the master key for this purpose alone (core.keys)."""
    return keys.derive(secret_key, "radar")


def _keys(secret_key: str) -> tuple[bytes, ...]:
    """Keys a token may be signed with: the radar key, then the one links sent before keys
    were derived by HKDF were signed with (a hash of the master key under a radar prefix,
    never used for anything else), so they keep working until they expire."""
    return (
        *keys.verifying(secret_key, "radar"),  # the previous key's too, during a rotation
        hashlib.sha256(f"siyu-radar:{secret_key}".encode()).digest(),
    )


def _matches(secret_key: str, message: bytes, sig: bytes, size: int) -> bool:
    return any(
        hmac.compare_digest(hmac.new(k, message, hashlib.sha256).digest()[:size], sig)
        for k in _keys(secret_key)
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def _unb64(text: str) -> bytes:
    """Strict unpadded base64url: any other character, padding, or a non-canonical encoding
    (stray low bits) is a :class:`ValueError` (``body.<>!!sig`` no longer decodes)."""
    if not _ALPHABET.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def link_id(token: str) -> str:
    """The id of one link: its signature (what a revocation stores)."""
    return token.rsplit(".", 1)[-1][:32]


def sign(claim: RadarClaim, *, secret_key: str) -> str:
    payload = f"{claim.corp_id}:{claim.item_id}:{claim.customer_id}:{claim.userid}:{claim.expires}"
    if claim.epoch:
        payload += f":{claim.broadcast_id}:{claim.epoch}"
    elif claim.broadcast_id:
        payload += f":{claim.broadcast_id}"
    body = _b64(payload.encode())
    sig = hmac.new(_key(secret_key), body.encode(), hashlib.sha256).digest()[:18]
    return f"{body}.{_b64(sig)}"


def verify(token: str, *, secret_key: str, now: float | None = None) -> RadarClaim:
    """The claim of a genuine, unexpired token; :class:`Forbidden` otherwise."""
    try:
        body, sig = token.split(".", 1)
        if not _matches(secret_key, body.encode(), _unb64(sig), 18):
            raise ValueError("bad signature")
        parts = _unb64(body).decode().split(":")
        if len(parts) not in (5, 6, 7):
            raise ValueError("bad payload")
        corp, item, customer, userid, expires = parts[:5]
        bid = int(parts[5]) if len(parts) >= 6 else 0
        epoch = int(parts[6]) if len(parts) == 7 else 0
        claim = RadarClaim(int(corp), int(item), int(customer), userid, int(expires), bid, epoch)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Forbidden("this link is not valid") from exc
    if claim.expires < (now if now is not None else time.time()):
        raise Forbidden("this link has expired")
    return claim


def sign_open(open_id: int, *, secret_key: str) -> str:
    """A reference to one open (read-time beats, OAuth state)."""
    body = _b64(str(open_id).encode())
    sig = hmac.new(_key(secret_key), f"open:{body}".encode(), hashlib.sha256).digest()[:12]
    return f"{body}.{_b64(sig)}"


def verify_open(ref: str, *, secret_key: str) -> int:
    """The open id of a genuine reference; :class:`Forbidden` otherwise."""
    try:
        body, sig = ref.split(".", 1)
        if not _matches(secret_key, f"open:{body}".encode(), _unb64(sig), 12):
            raise ValueError("bad signature")
        return int(_unb64(body).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise Forbidden("this reference is not valid") from exc
