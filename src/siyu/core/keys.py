"""One master key (``SIYU_SECRET_KEY``), one derived key per purpose.

Every purpose gets its own key derived with HKDF-SHA256 (``info`` = the purpose), so a value
signed for one purpose never verifies as another (a radar link's signature is no session
cookie) and nothing is ever signed with the master key itself. Encryption at rest derives its
own Fernet key the same way in :mod:`siyu.core.secrets`.

:func:`weakness` names what is wrong with a master key unfit for a server others reach: the
public development default, or one shorter than :data:`MIN_LENGTH` characters. ``siyu serve``
and ``siyu worker`` refuse it unless bound to loopback; ``siyu doctor`` reports it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from siyu.core.settings import DEFAULT_SECRET

Purpose = Literal["sessions", "radar"]
MIN_LENGTH = 32


@lru_cache(maxsize=16)
def derive(master: str, purpose: Purpose) -> bytes:
    """The 32-byte key of ``purpose`` derived from the master key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"siyu-keys-v1", info=purpose.encode()
    ).derive(master.encode())


def weakness(master: str) -> str | None:
    """Why ``master`` is unfit outside loopback, or None when it is fine."""
    if master == DEFAULT_SECRET:
        return "SIYU_SECRET_KEY is the public development default"
    if len(master) < MIN_LENGTH:
        return f"SIYU_SECRET_KEY is shorter than {MIN_LENGTH} characters"
    return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a bind address or name) only accepts connections from this machine."""
    if host.strip("[]").lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


FIX = (
    "set SIYU_SECRET_KEY to a random value of at least 32 characters, e.g. "
    '`python -c "import secrets; print(secrets.token_urlsafe(48))"`, and keep it '
    "(docs/security.md, Keys and secrets)"
)
