"""Webhooks: signed HTTP deliveries of the event log to registered receivers, retried with backoff.

``signature`` (sign/verify, also what a receiver uses), ``repository`` (queries), ``service`` (rules),
``routes`` (``/v1/webhooks``), ``schemas`` (API models) and ``worker`` (fan-out from the log and delivery).
"""

from __future__ import annotations

from tanglehub.hub.webhooks.signature import (
    SIGNATURE_HEADER,
    SignatureError,
    sign_payload,
    signature_header,
    verify_signature,
)

__all__ = ["SIGNATURE_HEADER", "SignatureError", "sign_payload", "signature_header", "verify_signature"]
