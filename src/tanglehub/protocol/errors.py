"""Errors of the protocol layer: decoding failures and rule violations."""

from __future__ import annotations

from tanglehub.errors import CodecError, ProtocolValidationError

__all__ = ["CodecError", "DecodeError", "JsonShapeError", "ProtocolValidationError"]


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
