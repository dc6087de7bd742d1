"""Ed25519 keys, signing and TIP-14 (ZIP-215) verification.

Signing and public keys come from libsodium (PyNaCl). ``verify`` asks libsodium first: whatever libsodium
accepts, ZIP-215 accepts too, so honest signatures take the fast path. Only a libsodium rejection is
re-decided by the exact (slower) pure-integer ZIP-215 check, which accepts the non-canonical and
small-order encodings libsodium refuses and uses the cofactored equation.
"""

from __future__ import annotations

import nacl.bindings
import nacl.exceptions

from tanglehub.keys._zip215 import GROUP_ORDER, verify_zip215
from tanglehub.keys.errors import KeyFormatError

__all__ = [
    "PRIVATE_KEY_LENGTH",
    "PUBLIC_KEY_LENGTH",
    "SIGNATURE_LENGTH",
    "public_key",
    "sign",
    "verify",
]

PRIVATE_KEY_LENGTH = 32
"""Length of an Ed25519 private key (the RFC 8032 seed, as SLIP-10 produces it)."""
PUBLIC_KEY_LENGTH = 32
"""Length of an encoded Ed25519 public key."""
SIGNATURE_LENGTH = 64
"""Length of an Ed25519 signature (R || S)."""


def _check(value: object, length: int, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != length:
        raise KeyFormatError(f"an Ed25519 {what} must be {length} bytes")
    return bytes(value)


def public_key(private_key: bytes) -> bytes:
    """Return the 32-byte public key of a 32-byte private key."""
    seed = _check(private_key, PRIVATE_KEY_LENGTH, "private key")
    pk, _ = nacl.bindings.crypto_sign_seed_keypair(seed)
    return bytes(pk)


def sign(private_key: bytes, message: bytes) -> bytes:
    """Return the deterministic 64-byte RFC 8032 signature of ``message`` under ``private_key``."""
    seed = _check(private_key, PRIVATE_KEY_LENGTH, "private key")
    if not isinstance(message, bytes | bytearray):
        raise KeyFormatError("the message to sign must be bytes")
    _, secret = nacl.bindings.crypto_sign_seed_keypair(seed)
    return bytes(nacl.bindings.crypto_sign(bytes(message), secret)[:SIGNATURE_LENGTH])


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Return whether ``signature`` is valid for ``message`` and ``public_key`` under TIP-14 / ZIP-215.

    Raises :class:`KeyFormatError` only for arguments of the wrong type or length.
    """
    pk = _check(public_key, PUBLIC_KEY_LENGTH, "public key")
    sig = _check(signature, SIGNATURE_LENGTH, "signature")
    if not isinstance(message, bytes | bytearray):
        raise KeyFormatError("the signed message must be bytes")
    msg = bytes(message)
    if int.from_bytes(sig[32:], "little") >= GROUP_ORDER:
        return False
    try:
        nacl.bindings.crypto_sign_open(sig + msg, pk)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, nacl.exceptions.TypeError):
        return verify_zip215(pk, msg, sig)
    return True
