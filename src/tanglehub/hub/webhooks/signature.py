"""Webhook signatures: ``Tanglehub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``.

The timestamp is inside the signed bytes, so a captured delivery cannot be replayed later with a fresh
timestamp; a receiver rejects signatures older than a tolerance (5 minutes by default). Several ``v1=``
entries may appear (one per secret while a secret is being rotated); any match is accepted. This module has
no dependency on the rest of the hub, so a receiver can copy its logic or import it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from tanglehub.errors import HubError

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_ID_HEADER",
    "EVENT_TYPE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "SignatureError",
    "sign_payload",
    "signature_header",
    "verify_signature",
]

SIGNATURE_HEADER = "Tanglehub-Signature"
TIMESTAMP_HEADER = "Tanglehub-Timestamp"
EVENT_ID_HEADER = "Tanglehub-Event-Id"
EVENT_TYPE_HEADER = "Tanglehub-Event-Type"
DELIVERY_HEADER = "Tanglehub-Delivery-Id"


class SignatureError(HubError):
    """A webhook signature header is missing, malformed, too old, or does not match the body."""

    code = "HUB_WEBHOOK_SIGNATURE_INVALID"
    http_status = 400


def sign_payload(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 over ``b"<timestamp>." + body`` keyed with the UTF-8 ``secret``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the ``Tanglehub-Signature`` header for ``body`` sent at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},v1={sign_payload(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> int:
    """Check a ``Tanglehub-Signature`` header against the raw request ``body``; return its timestamp.

    Args:
        secret: the webhook's signing secret.
        header: the header value as received (``t=...,v1=...``).
        body: the exact bytes of the request body (not re-serialized JSON).
        tolerance: the largest accepted age (and clock skew) of the timestamp, in seconds.
        now: the current unix time (defaults to ``time.time()``).

    Raises:
        SignatureError: missing/malformed header, a timestamp outside the tolerance, or no matching ``v1``.
    """
    if not header:
        raise SignatureError(f"the {SIGNATURE_HEADER} header is missing")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {SIGNATURE_HEADER} header: expected t=<ts>,v1=<hex>")
        if name == "t":
            if not value.isdigit():
                raise SignatureError(f"malformed {SIGNATURE_HEADER} timestamp {value[:20]!r}")
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header: expected t=<ts>,v1=<hex>")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError(f"the signature timestamp is {current - timestamp:.0f} s away from now")
    expected = sign_payload(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("the signature does not match the body")
    return timestamp
