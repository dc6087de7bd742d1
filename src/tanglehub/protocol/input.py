"""UTXO input (TIP-20): the reference to an output a transaction consumes.

Binary: ``u8 0 | ByteArray[32] transactionId | u16 outputIndex``. JSON (node shape):
``{"type": 0, "transactionId": "0x..", "transactionOutputIndex": 3}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol._values import byte_string, uint
from tanglehub.protocol.codec import Reader, Serializable, Writer
from tanglehub.protocol.errors import DecodeError, InvalidInputError, JsonShapeError
from tanglehub.protocol.ids import MAX_OUTPUT_INDEX, OUTPUT_ID_LENGTH, TRANSACTION_ID_LENGTH
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    hex_to_bytes,
    require_int,
    require_object,
    sub,
)

__all__ = ["MAX_OUTPUT_INDEX", "OUTPUT_ID_LENGTH", "TRANSACTION_ID_LENGTH", "UtxoInput"]


@dataclass(frozen=True, slots=True)
class UtxoInput(Serializable):
    """A reference to output ``output_index`` of transaction ``transaction_id``."""

    KIND: ClassVar[int] = 0
    NAME: ClassVar[str] = "UTXO input"

    transaction_id: bytes
    output_index: int

    def __post_init__(self) -> None:
        tx_id = byte_string(self.transaction_id, "a transaction id", InvalidInputError, TRANSACTION_ID_LENGTH)
        if tx_id is not self.transaction_id:
            object.__setattr__(self, "transaction_id", tx_id)
        uint(self.output_index, MAX_OUTPUT_INDEX, "an output index", InvalidInputError)

    @property
    def output_id(self) -> bytes:
        """The 34-byte output id this input consumes."""
        return self.transaction_id + self.output_index.to_bytes(2, "little")

    @classmethod
    def from_output_id(cls, oid: bytes) -> Self:
        """Build an input from a 34-byte output id."""
        if type(oid) is bytes and len(oid) == OUTPUT_ID_LENGTH:  # the common case, checked without __post_init__
            index = oid[TRANSACTION_ID_LENGTH] | oid[TRANSACTION_ID_LENGTH + 1] << 8
            if index <= MAX_OUTPUT_INDEX:
                made = object.__new__(cls)
                object.__setattr__(made, "transaction_id", oid[:TRANSACTION_ID_LENGTH])
                object.__setattr__(made, "output_index", index)
                return made
        oid = byte_string(oid, "an output id", InvalidInputError, OUTPUT_ID_LENGTH)
        return cls(oid[:TRANSACTION_ID_LENGTH], int.from_bytes(oid[TRANSACTION_ID_LENGTH:], "little"))

    def write_to(self, w: Writer) -> None:
        """Append ``u8 0 | txid | u16 index``."""
        w.u8(self.KIND)
        w.raw(self.transaction_id)
        w.u16(self.output_index)

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one UTXO input, type byte included."""
        at = r.offset
        kind = r.u8("input type")
        if kind != cls.KIND:
            raise DecodeError(f"unknown input type {kind} (only UTXO inputs, type 0, exist)", at)
        tx_id = r.raw(TRANSACTION_ID_LENGTH, "input transaction id")
        at = r.offset
        index = r.u16("input output index")
        if index > MAX_OUTPUT_INDEX:
            raise DecodeError(f"input output index {index} is out of range (0..{MAX_OUTPUT_INDEX})", at)
        return cls(tx_id, index)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape."""
        return {
            "type": self.KIND,
            "transactionId": hex_from_bytes(self.transaction_id),
            "transactionOutputIndex": self.output_index,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        kind = require_int(get_field(obj, "type", path), sub(path, "type"), 0, 255)
        if kind != cls.KIND:
            raise JsonShapeError(f"unknown input type {kind} (only UTXO inputs, type 0, exist)", sub(path, "type"))
        tx_id = hex_to_bytes(
            get_field(obj, "transactionId", path), sub(path, "transactionId"), TRANSACTION_ID_LENGTH
        )
        key = "transactionOutputIndex"
        index = require_int(get_field(obj, key, path), sub(path, key), 0, MAX_OUTPUT_INDEX)
        return cls(tx_id, index)
