"""Block (TIP-24): the vertex of the Tangle that carries an optional payload.

Binary: ``u8 protocolVersion | u8 parentCount | [32] parents[] | u32 payloadLength | payload | u64 nonce``
(``payloadLength`` 0 means no payload). The block id is BLAKE2b-256 of all the bytes, nonce included.
JSON: ``{"protocolVersion": 2, "parents": ["0x.."], "payload": {..}, "nonce": "12345"}`` with ``payload``
omitted when absent (``null`` is accepted).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol._values import U8_MAX, U64_MAX, uint
from tanglehub.protocol.codec import CachedSerializable, Reader, Writer
from tanglehub.protocol.errors import DecodeError, InvalidBlockError
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    int_from_dec,
    require_int,
    require_object,
)
from tanglehub.protocol.payload import (
    MilestonePayload,
    Payload,
    TaggedDataPayload,
    TransactionPayload,
    payload_from_json,
    read_payload,
)
from tanglehub.protocol.payload._common import (
    BLOCK_ID_LENGTH,
    MAX_BLOCK_LENGTH,
    MAX_PARENTS,
    blake2b256,
    check_parents,
    ids_from_json,
    sub,
)
from tanglehub.protocol.payload._fast import read_transaction_fast, slot_setter

__all__ = ["BLOCK_ID_LENGTH", "Block", "MAX_BLOCK_LENGTH", "MAX_PARENTS", "PROTOCOL_VERSION"]

PROTOCOL_VERSION = 2
"""The Stardust protocol version."""
_PAYLOAD_CLASSES = (TaggedDataPayload, TransactionPayload, MilestonePayload)


@dataclass(frozen=True, slots=True)
class Block(CachedSerializable):
    """A block: protocol version, 1..8 sorted parents, an optional payload and the PoW nonce."""

    NAME: ClassVar[str] = "block"

    protocol_version: int
    parents: tuple[bytes, ...]
    payload: Payload | None
    nonce: int

    def __post_init__(self) -> None:
        uint(self.protocol_version, U8_MAX, "the protocol version", InvalidBlockError)
        parents = check_parents(self.parents, "block parents", InvalidBlockError)
        if parents is not self.parents:
            object.__setattr__(self, "parents", parents)
        uint(self.nonce, U64_MAX, "the nonce", InvalidBlockError)
        if self.payload is not None and not isinstance(self.payload, _PAYLOAD_CLASSES):
            raise InvalidBlockError(f"a block cannot carry a {type(self.payload).__name__}")
        if isinstance(self.payload, MilestonePayload):
            if self.nonce != 0:
                raise InvalidBlockError("a block carrying a milestone must have nonce 0")
            if self.payload.essence.parents != self.parents:
                raise InvalidBlockError("a milestone's parents must equal the parents of the block carrying it")

    def block_id(self) -> bytes:
        """BLAKE2b-256 of the block bytes, nonce included."""
        return blake2b256(self.to_bytes())

    def bytes_without_nonce(self) -> bytes:
        """The block bytes without the trailing 8-byte nonce (what PoW hashes)."""
        return self.to_bytes()[:-8]

    def write_to(self, w: Writer) -> None:
        """Append the block bytes."""
        w.u8(self.protocol_version)
        w.u8(len(self.parents))
        for p in self.parents:
            w.raw(p)
        w.prefixed(4, self.payload.to_bytes() if self.payload is not None else b"")
        w.u64(self.nonce)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one block."""
        version = r.u8("protocol version")
        at = r.offset
        count = r.u8("parent count")
        if not 1 <= count <= MAX_PARENTS:
            raise DecodeError(f"a block has 1..{MAX_PARENTS} parents, got {count}", at)
        parents = tuple(r.raw(BLOCK_ID_LENGTH, f"parent {i}") for i in range(count))
        at = r.offset
        length = r.u32("payload length")
        payload: Payload | None = None
        if length:
            if length > MAX_BLOCK_LENGTH:
                raise DecodeError(
                    f"payload length {length} is more than a block may hold ({MAX_BLOCK_LENGTH})", at
                )
            start = r.offset
            payload = read_payload(r)
            if r.offset - start != length:
                raise DecodeError(f"payload length says {length} bytes but the payload is {r.offset - start}", at)
        nonce = r.u64("nonce")
        return cls(version, parents, payload, nonce)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Self:
        """Decode exactly one block (at most 32768 bytes); trailing bytes are an error.

        A transaction block of the common shapes goes through a short path (:mod:`.payload._fast`) that gives
        the value the general reader gives; everything else, and every input the short path does not take,
        goes through the general reader, which raises the errors."""
        if len(data) > MAX_BLOCK_LENGTH:
            raise DecodeError(f"a block is at most {MAX_BLOCK_LENGTH} bytes, got {len(data)}", MAX_BLOCK_LENGTH)
        if type(data) is not bytes:
            data = bytes(data)
        if cls is Block:
            block = _transaction_block_fast(data)
            if block is not None:
                return block  # type: ignore[return-value]
        return super(Block, cls).from_bytes(data)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape (``payload`` omitted when absent)."""
        out: JsonObject = {
            "protocolVersion": self.protocol_version,
            "parents": [hex_from_bytes(p) for p in self.parents],
        }
        if self.payload is not None:
            out["payload"] = self.payload.to_json()
        out["nonce"] = str(self.nonce)
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        version = require_int(get_field(obj, "protocolVersion", path), sub(path, "protocolVersion"), 0, 255)
        parents = ids_from_json(get_field(obj, "parents", path), sub(path, "parents"))
        payload_v = obj.get("payload")
        payload = None if payload_v is None else payload_from_json(payload_v, sub(path, "payload"))
        nonce = int_from_dec(get_field(obj, "nonce", path), sub(path, "nonce"))
        return cls(version, parents, payload, nonce)


_NONCE = struct.Struct("<Q")
_LENGTH_AND_KIND = struct.Struct("<II")


def _transaction_block_fast(data: bytes) -> Block | None:
    """The block ``data`` holds when it carries a transaction the short path takes, else None (the general
    reader then decides). Checks what :meth:`Block.read_from` and ``Block.__post_init__`` check: 1..8 parents
    in strictly ascending order, a payload length that matches, nothing after the nonce."""
    end = len(data)
    if end < 2:
        return None
    count = data[1]
    if not 1 <= count <= MAX_PARENTS:
        return None
    at = 2 + BLOCK_ID_LENGTH * count
    if at + 8 > end:
        return None
    length, kind = _LENGTH_AND_KIND.unpack_from(data, at)
    payload_end = at + 4 + length
    if kind != TransactionPayload.KIND or payload_end + 8 != end:
        return None
    parents = tuple([data[i : i + BLOCK_ID_LENGTH] for i in range(2, at, BLOCK_ID_LENGTH)])
    for i in range(1, count):
        if parents[i - 1] >= parents[i]:
            return None
    payload = read_transaction_fast(data, at + 4, payload_end)
    if payload is None:
        return None
    block = object.__new__(Block)
    _SET_VERSION(block, data[0])
    _SET_PARENTS(block, parents)
    _SET_PAYLOAD(block, payload)
    _SET_NONCE(block, _NONCE.unpack_from(data, payload_end)[0])
    _SET_CACHED(block, data)
    return block


_SET_VERSION = slot_setter(Block, "protocol_version")
_SET_PARENTS = slot_setter(Block, "parents")
_SET_PAYLOAD = slot_setter(Block, "payload")
_SET_NONCE = slot_setter(Block, "nonce")
_SET_CACHED = slot_setter(Block, "_cached_bytes")
