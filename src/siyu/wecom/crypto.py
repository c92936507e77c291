"""WeCom callback cryptography: the SHA-1 signature and the AES-256-CBC envelope.

Implements exactly what WeCom specifies (``shared/wecom/API.md`` §3):

- signature = sha1 over the lexicographically sorted token, timestamp, nonce and ciphertext;
- key = base64decode(EncodingAESKey + "="), 32 bytes; IV = key[:16];
- plaintext = random(16) ‖ len(msg) as 4-byte big-endian ‖ msg ‖ receive_id;
- PKCS#7 padding to a 32-byte block (pad values 1..32).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import string
import struct
import time
import xml.etree.ElementTree as StdElementTree
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import ElementTree

BLOCK = 32
_KEY_ALPHABET = string.ascii_letters + string.digits


class CallbackCryptoError(Exception):
    """Base of every callback crypto failure; ``code`` mirrors WeCom's sample error codes."""

    code = -40000


class SignatureError(CallbackCryptoError):
    """The msg_signature does not match (WeCom -40001)."""

    code = -40001


class MalformedError(CallbackCryptoError):
    """The body or ciphertext cannot be parsed or decrypted (WeCom -40002/-40007/-40010)."""

    code = -40007


class ReceiverMismatchError(CallbackCryptoError):
    """The decrypted receive id is not the expected corp id (WeCom -40005)."""

    code = -40005


def generate_aes_key() -> str:
    """A fresh 43-character EncodingAESKey, as WeCom's admin console would generate."""
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


def generate_token(length: int = 32) -> str:
    """A fresh callback token of letters and digits (WeCom allows up to 32)."""
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(length))


def aes_key_bytes(encoding_aes_key: str) -> bytes:
    """Decode a 43-character EncodingAESKey to the 32-byte AES key; raises ValueError."""
    if len(encoding_aes_key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("EncodingAESKey is not valid base64") from exc
    if len(key) != 32:
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """WeCom's msg_signature: sha1 of the four strings sorted and concatenated, hex lowercase."""
    parts = sorted([token, str(timestamp), str(nonce), encrypted])
    return hashlib.sha1("".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class CallbackCrypto:
    """The crypto of one corp's callback configuration."""

    token: str
    encoding_aes_key: str
    receive_id: str

    @property
    def _key(self) -> bytes:
        return aes_key_bytes(self.encoding_aes_key)

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        """Raise SignatureError unless the signature matches."""
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, (msg_signature or "").lower()):
            raise SignatureError("msg_signature does not match")

    def encrypt(self, plaintext: str, *, random_prefix: bytes | None = None) -> str:
        """Encrypt one message into WeCom's base64 ciphertext."""
        key = self._key
        msg = plaintext.encode()
        prefix = random_prefix or secrets.token_bytes(16)
        raw = prefix + struct.pack(">I", len(msg)) + msg + self.receive_id.encode()
        pad = BLOCK - len(raw) % BLOCK
        raw += bytes([pad]) * pad
        enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(enc.update(raw) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        """Decrypt WeCom's base64 ciphertext, checking padding, length and receive id."""
        key = self._key
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedError("ciphertext is not base64") from exc
        if not data or len(data) % 16:
            raise MalformedError("ciphertext length is not a multiple of the AES block")
        dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        raw = dec.update(data) + dec.finalize()
        pad = raw[-1]
        if not 1 <= pad <= BLOCK or raw[-pad:] != bytes([pad]) * pad:
            raise MalformedError("bad padding")
        raw = raw[:-pad]
        if len(raw) < 20:
            raise MalformedError("plaintext too short")
        (length,) = struct.unpack(">I", raw[16:20])
        if 20 + length > len(raw):
            raise MalformedError("message length exceeds plaintext")
        receive_id = raw[20 + length :].decode(errors="replace")
        if receive_id != self.receive_id:
            raise ReceiverMismatchError(f"receive id {receive_id!r} is not {self.receive_id!r}")
        try:
            return raw[20 : 20 + length].decode()
        except UnicodeDecodeError as exc:
            raise MalformedError("message is not UTF-8") from exc

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """Answer WeCom's GET URL verification: check the signature, return the plaintext."""
        self.verify(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def decrypt_body(self, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Open a POSTed ``<xml><Encrypt>..</Encrypt></xml>`` envelope; return the inner XML."""
        encrypted = parse_envelope(body)
        self.verify(msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def encrypt_envelope(
        self, plaintext: str, *, timestamp: str | None = None, nonce: str | None = None
    ) -> tuple[str, dict[str, str]]:
        """Build what WeCom POSTs: the XML body and the query parameters that sign it."""
        ts = timestamp or str(int(time.time()))
        nc = nonce or "".join(secrets.choice(string.digits) for _ in range(10))
        encrypted = self.encrypt(plaintext)
        body = (
            f"<xml><ToUserName><![CDATA[{self.receive_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>"
        )
        params = {
            "msg_signature": signature(self.token, ts, nc, encrypted),
            "timestamp": ts,
            "nonce": nc,
        }
        return body, params


def parse_envelope(body: bytes) -> str:
    """The ``Encrypt`` text of a callback body; MalformedError when absent or not XML."""
    root = parse_xml(body)
    node = root.find("Encrypt")
    if node is None or not (node.text or "").strip():
        raise MalformedError("no Encrypt element")
    return (node.text or "").strip()


def parse_xml(body: bytes | str) -> ElementTree.Element:  # type: ignore[name-defined]
    """Parse untrusted XML safely (no entities, no DTDs); MalformedError on any failure."""
    try:
        return ElementTree.fromstring(body, forbid_dtd=True)
    except Exception as exc:  # defusedxml raises several types; all mean "malformed"
        raise MalformedError(f"not well-formed XML: {exc}") from exc


def parse_event_xml(xml: str) -> StdElementTree.Element:
    """Parse a decrypted event (text): no DTD at all, then the C parser of the standard library.

    Without a DTD no entity can be declared, so this refuses what ``parse_xml`` refuses
    (entity expansion, external entities), at a third of defusedxml's cost per event: the
    check is exact on text, which has no encoding left to hide a declaration in.
    """
    if "<!DOCTYPE" in xml:
        raise MalformedError("a DTD is not allowed in an event")
    try:
        return StdElementTree.fromstring(xml)
    except StdElementTree.ParseError as exc:
        raise MalformedError(f"not well-formed XML: {exc}") from exc


def xml_to_dict(xml: str) -> dict[str, str]:
    """Flatten a callback event's XML into {tag: text}; nested elements keep their text only."""
    root = parse_event_xml(xml)
    out: dict[str, str] = {}
    for child in root:
        out[child.tag] = (child.text or "").strip() if len(child) == 0 else _inner(child)
    return out


def _inner(node: StdElementTree.Element) -> str:
    return ",".join((c.text or "").strip() for c in node.iter() if c is not node and c.text)
