"""Tagged Data payload (TIP-23): an arbitrary tag (0..64 bytes) and data.

Binary: ``u32 5 | (u8)tag | (u32)data``. JSON: ``{"type": 5, "tag": "0x..", "data": "0x.."}``; both fields
are omitted when empty (and accepted missing or ``null``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol._values import byte_string
from tanglehub.protocol.codec import CachedSerializable, Reader, Writer
from tanglehub.protocol.errors import InvalidPayloadError, JsonShapeError
from tanglehub.protocol.jsonutil import JsonObject, hex_from_bytes, hex_to_bytes, require_object
from tanglehub.protocol.payload._common import (
    MAX_BLOCK_LENGTH,
    expect_json_payload_kind,
    expect_payload_kind,
    sub,
)

__all__ = ["MAX_TAG_LENGTH", "TaggedDataPayload"]

MAX_TAG_LENGTH = 64
"""Longest tag, in bytes."""


@dataclass(frozen=True, slots=True)
class TaggedDataPayload(CachedSerializable):
    """Arbitrary data with a tag; neither has protocol meaning."""

    KIND: ClassVar[int] = 5
    NAME: ClassVar[str] = "tagged data payload"

    tag: bytes = b""
    data: bytes = b""

    def __post_init__(self) -> None:
        tag = byte_string(self.tag, "a tag", InvalidPayloadError, max_length=MAX_TAG_LENGTH)
        if tag is not self.tag:
            object.__setattr__(self, "tag", tag)
        data = byte_string(self.data, "tagged data", InvalidPayloadError)
        if data is not self.data:
            object.__setattr__(self, "data", data)
        if len(data) > MAX_BLOCK_LENGTH:
            raise InvalidPayloadError(
                f"tagged data of {len(data)} bytes cannot fit in a block of at most {MAX_BLOCK_LENGTH} bytes"
            )

    def write_to(self, w: Writer) -> None:
        """Append ``u32 5 | (u8)tag | (u32)data``."""
        w.u32(self.KIND)
        w.prefixed(1, self.tag)
        w.prefixed(4, self.data)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one tagged data payload, type included."""
        expect_payload_kind(r, cls.KIND, "tagged data")
        tag = r.prefixed(1, "tag", MAX_TAG_LENGTH)
        data = r.prefixed(4, "data", MAX_BLOCK_LENGTH)
        return cls(tag, data)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape (empty tag/data omitted)."""
        out: JsonObject = {"type": self.KIND}
        if self.tag:
            out["tag"] = hex_from_bytes(self.tag)
        if self.data:
            out["data"] = hex_from_bytes(self.data)
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        expect_json_payload_kind(obj, cls.KIND, "tagged data", path)
        tag_v = obj.get("tag")
        data_v = obj.get("data")
        tag = b"" if tag_v is None else hex_to_bytes(tag_v, sub(path, "tag"))
        data = b"" if data_v is None else hex_to_bytes(data_v, sub(path, "data"))
        if len(tag) > MAX_TAG_LENGTH:
            raise JsonShapeError(f"a tag is at most {MAX_TAG_LENGTH} bytes, got {len(tag)}", sub(path, "tag"))
        if len(data) > MAX_BLOCK_LENGTH:
            raise JsonShapeError(f"data is longer than a block ({len(data)} bytes)", sub(path, "data"))
        return cls(tag, data)
