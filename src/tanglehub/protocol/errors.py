"""Errors of the protocol layer: decoding failures and rule violations."""

from __future__ import annotations

from tanglehub.errors import CodecError, ProtocolValidationError

__all__ = [
    "CodecError",
    "DecodeError",
    "InvalidBlockError",
    "InvalidInputError",
    "InvalidMilestoneError",
    "InvalidPayloadError",
    "InvalidTransactionError",
    "InvalidUnlockError",
    "JsonShapeError",
    "NetworkIdMismatchError",
    "ProtocolValidationError",
]


class DecodeError(CodecError):
    """Binary input that does not decode; ``offset`` is where reading failed."""

    code = "DECODE_ERROR"

    def __init__(self, message: str, offset: int | None = None) -> None:
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(f"{message}{where}")
        self.offset = offset


class JsonShapeError(CodecError):
    """JSON input that does not have the node API's shape; ``path`` names the field."""

    code = "JSON_SHAPE_ERROR"

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


class InvalidInputError(ProtocolValidationError):
    """A transaction input breaks a syntactic rule (bad id length, output index out of range)."""

    code = "INPUT_INVALID"


class InvalidUnlockError(ProtocolValidationError):
    """An unlock or signature breaks a syntactic rule (bad key length, bad reference)."""

    code = "UNLOCK_INVALID"


class InvalidPayloadError(ProtocolValidationError):
    """A payload breaks a syntactic rule (tag too long, payload kind not allowed here)."""

    code = "PAYLOAD_INVALID"


class InvalidTransactionError(ProtocolValidationError):
    """A transaction payload breaks a syntactic rule (counts, duplicates, unlocks, amounts)."""

    code = "TRANSACTION_INVALID"


class NetworkIdMismatchError(InvalidTransactionError):
    """A transaction was built for a different network than the one it is checked against."""

    code = "NETWORK_ID_MISMATCH"


class InvalidMilestoneError(ProtocolValidationError):
    """A milestone payload breaks a syntactic rule (parents, signatures, options)."""

    code = "MILESTONE_INVALID"


class InvalidBlockError(ProtocolValidationError):
    """A block breaks a syntactic rule (version, parents, size, nonce)."""

    code = "BLOCK_INVALID"
