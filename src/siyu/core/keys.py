"""One master key (``SIYU_SECRET_KEY``), one derived key per purpose.

Rotation: with ``SIYU_SECRET_KEY_PREVIOUS`` set, values signed or encrypted under the previous
master key are still accepted (:func:`masters`); new ones use the current key only.

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

from siyu.core.settings import DEFAULT_SECRET, get_settings

Purpose = Literal["sessions", "radar"]
MIN_LENGTH = 32


@lru_cache(maxsize=16)
def derive(master: str, purpose: Purpose) -> bytes:
    """The 32-byte key of ``purpose`` derived from the master key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"siyu-keys-v1", info=purpose.encode()
    ).derive(master.encode())


def masters(master: str) -> tuple[str, ...]:
    """The master keys whose derived keys verify or decrypt: ``master`` and, when it is this
    process's ``SIYU_SECRET_KEY``, ``SIYU_SECRET_KEY_PREVIOUS`` (during a rotation). Signing
    and encrypting always use ``master`` alone."""
    settings = get_settings()
    previous = settings.secret_key_previous
    if previous is None or master != settings.secret_key.get_secret_value():
        return (master,)
    old = previous.get_secret_value()
    return (master,) if not old or old == master else (master, old)


def verifying(master: str, purpose: Purpose) -> tuple[bytes, ...]:
    """The keys of ``purpose`` a value may have been signed with, the current one first."""
    return tuple(derive(m, purpose) for m in masters(master))


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
