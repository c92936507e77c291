"""Encryption at rest for secrets stored in the database (corp secret, callback token/AES key).

The Fernet key is derived from ``SIYU_SECRET_KEY`` with HKDF-SHA256, so changing the setting
makes old ciphertexts unreadable (``SecretDecryptError``) instead of silently wrong, unless the
old key is kept in ``SIYU_SECRET_KEY_PREVIOUS`` during a rotation (docs/security.md).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from siyu.core import keys
from siyu.core.errors import SiyuError

#: what to do about it, appended to every decrypt failure a person sees
FIX = (
    "SIYU_SECRET_KEY changed since the corp was added; restore the key it was added with "
    "(`siyu doctor` checks it)"
)


class SecretDecryptError(SiyuError):
    """A stored secret cannot be decrypted: SIYU_SECRET_KEY differs from when it was saved.

    A domain error: the API answers 503 with the sentence, the CLI prints it.
    """


@lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"siyu-at-rest-v1", info=b"db-secrets"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str, *, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str, *, secret_key: str) -> str:
    """The plaintext; during a rotation a ciphertext of the previous key decrypts too."""
    try:
        return (
            MultiFernet([_fernet(m) for m in keys.masters(secret_key)])
            .decrypt(ciphertext.encode())
            .decode()
        )
    except InvalidToken as exc:
        raise SecretDecryptError(f"a stored secret can't be decrypted: {FIX}") from exc
