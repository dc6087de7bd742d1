"""Errors of the signing server and its client.

Every class derives from :class:`tanglehub.errors.SignerError`::

    SignerError                     SIGNER_ERROR
    +-- SigningRefused              SIGNER_REFUSED          (a policy refusal; carries a RefusalReason)
    +-- SignerConfigError           SIGNER_CONFIG_INVALID   (policy file, certificates, data directory)
    +-- SignerRequestError          SIGNER_BAD_REQUEST      (a request that does not parse)
    +-- SignerUnavailable           SIGNER_UNAVAILABLE      (the client could not reach the server)
    +-- AuditLogCorrupted           SIGNER_AUDIT_CORRUPTED  (``audit verify`` found a bad record)

Messages never contain the password, the mnemonic, a seed or key material.
"""

from __future__ import annotations

from enum import StrEnum

from tanglehub.errors import SignerError

__all__ = [
    "AuditLogCorrupted",
    "RefusalReason",
    "SignerConfigError",
    "SignerError",
    "SignerRequestError",
    "SignerUnavailable",
    "SigningRefused",
]


class RefusalReason(StrEnum):
    """Why the signer refused to sign: a stable code the hub records on the withdrawal."""

    WRONG_NETWORK = "WRONG_NETWORK"
    """The essence's network id is not the signer's own."""
    INPUT_NOT_OWNED = "INPUT_NOT_OWNED"
    """An input's output is not owned by the key of the chain given for it (or the chain is not allowed)."""
    INPUT_COMMITMENT_MISMATCH = "INPUT_COMMITMENT_MISMATCH"
    """The essence's inputs commitment does not match the consumed outputs given."""
    INPUTS_MISMATCH = "INPUTS_MISMATCH"
    """The inputs given are not the essence's inputs, in order."""
    FOREIGN_OUTPUT = "FOREIGN_OUTPUT"
    """An output goes to an address that is neither the signer's own, the cold address nor a withdrawal."""
    FOREIGN_REMAINDER = "FOREIGN_REMAINDER"
    """The output marked as the remainder goes to an address that is not the signer's own."""
    UNSUPPORTED_OUTPUT = "UNSUPPORTED_OUTPUT"
    """An output of a kind or with conditions the policy never signs (for example an expiration to a user)."""
    UNMATCHED_JUSTIFICATION = "UNMATCHED_JUSTIFICATION"
    """A withdrawal or recovery in the justification has no output paying it."""
    WITHDRAWAL_LIMIT = "WITHDRAWAL_LIMIT"
    """One withdrawal is above the per-withdrawal limit."""
    WINDOW_LIMIT = "WINDOW_LIMIT"
    """The withdrawals of the rolling window would exceed its total limit."""
    ADDRESS_WINDOW_LIMIT = "ADDRESS_WINDOW_LIMIT"
    """The withdrawals to one destination address in the rolling window would exceed its limit."""
    AUTHORIZATION_MISSING = "AUTHORIZATION_MISSING"
    """The policy requires an exchange authorization and the withdrawal has none."""
    AUTHORIZATION_INVALID = "AUTHORIZATION_INVALID"
    """The authorization does not verify under any configured authorization key."""
    ALREADY_SIGNED = "ALREADY_SIGNED"
    """The withdrawal was already signed into another transaction that is not provably dead (a replay)."""
    REQUEST_CHANGED = "REQUEST_CHANGED"
    """A request id seen before came back with another body (an essence changed after approval)."""
    WRONG_KIND = "WRONG_KIND"
    """The justification's kind does not allow an output it carries."""
    SEMANTICALLY_INVALID = "SEMANTICALLY_INVALID"
    """Signed, the transaction would fail the protocol's semantic validation (TIP-20); it is not returned."""


class SigningRefused(SignerError):
    """The policy refused to sign; :attr:`reason` is the stable code, the message says which output or input."""

    code = "SIGNER_REFUSED"
    http_status = 403

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.detail = message


class SignerConfigError(SignerError):
    """The signer's data directory, policy file or certificates are missing or invalid."""

    code = "SIGNER_CONFIG_INVALID"


class SignerRequestError(SignerError):
    """A request to the signer does not parse or breaks the API's shape rules."""

    code = "SIGNER_BAD_REQUEST"
    http_status = 422


class SignerUnavailable(SignerError):
    """The signing server could not be reached (or answered something that is not the signer API)."""

    code = "SIGNER_UNAVAILABLE"
    http_status = 503


class AuditLogCorrupted(SignerError):
    """An audit record does not match its hash or its predecessor's; :attr:`seq` names the first bad one."""

    code = "SIGNER_AUDIT_CORRUPTED"

    def __init__(self, seq: int, message: str) -> None:
        super().__init__(f"audit record {seq}: {message}")
        self.seq = seq
