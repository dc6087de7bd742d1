"""Withdrawal authorizations: the exchange's back end signs each withdrawal request with its own Ed25519 key.

The hub passes the signature through; the signer verifies it against the authorization keys of its policy,
so the hub alone cannot create a payable withdrawal. The signed message is a canonical byte encoding::

    b"tanglehub/withdrawal-authorization/v1"
    || u16-LE length || UTF-8 user id
    || u16-LE length || UTF-8 bech32 destination address (lower case)
    || u64-LE amount (smallest unit)
    || u16-LE length || UTF-8 idempotency key

Any language can build it; :func:`sign_authorization` is the Python reference for the exchange side.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from tanglehub.keys import ed25519
from tanglehub.signer.errors import SignerRequestError

__all__ = ["AUTHORIZATION_DOMAIN", "authorization_message", "sign_authorization", "verify_authorization"]

AUTHORIZATION_DOMAIN = b"tanglehub/withdrawal-authorization/v1"
"""The domain prefix of every authorization message (never valid as anything else)."""


def _field(text: str, what: str) -> bytes:
    raw = text.encode("utf-8")
    if not 1 <= len(raw) <= 0xFFFF:
        raise SignerRequestError(f"the withdrawal's {what} must be 1..65535 bytes of text")
    return struct.pack("<H", len(raw)) + raw


def authorization_message(user_id: str, address: str, amount: int, idempotency_key: str) -> bytes:
    """The canonical bytes an exchange signs for one withdrawal (see the module docstring)."""
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount < 2**64:
        raise SignerRequestError(f"a withdrawal amount must be a positive 64-bit integer, got {amount!r}")
    return (
        AUTHORIZATION_DOMAIN
        + _field(user_id, "user id")
        + _field(address.lower(), "address")
        + struct.pack("<Q", amount)
        + _field(idempotency_key, "idempotency key")
    )


def sign_authorization(private_key: bytes, user_id: str, address: str, amount: int, idempotency_key: str) -> bytes:
    """The 64-byte Ed25519 signature of the authorization message with a 32-byte private key (seed)."""
    return ed25519.sign(private_key, authorization_message(user_id, address, amount, idempotency_key))


def verify_authorization(  # noqa: PLR0917 - the message fields in canonical order
    keys: Sequence[bytes], signature: bytes, user_id: str, address: str, amount: int, idempotency_key: str
) -> bool:
    """True when ``signature`` verifies under one of ``keys`` (32-byte Ed25519 public keys)."""
    if len(signature) != 64:
        return False
    message = authorization_message(user_id, address, amount, idempotency_key)
    return any(ed25519.verify(key, message, signature) for key in keys)
