"""Transaction essence (TIP-20): the signed part of a transaction.

Binary: ``u8 1 | u64 networkId | u16 inputCount | UTXOInput[] | [32] inputsCommitment | u16 outputCount |
Output[] | u32 payloadLength | optional Tagged Data payload``. The message every signature unlock signs is
BLAKE2b-256 of these bytes (:meth:`TransactionEssence.hash`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from tanglehub.protocol._values import U64_MAX, byte_string, typed_tuple, uint
from tanglehub.protocol.codec import CachedSerializable, Reader, Writer
from tanglehub.protocol.errors import DecodeError, InvalidTransactionError, JsonShapeError
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    hex_to_bytes,
    int_from_dec,
    require_int,
    require_list,
    require_object,
)
from tanglehub.protocol.output import Output, OutputBase, output_from_json, read_output
from tanglehub.protocol.payload._common import blake2b256, sub
from tanglehub.protocol.payload.tagged_data import TaggedDataPayload

__all__ = [
    "INPUTS_COMMITMENT_LENGTH",
    "MAX_INPUTS",
    "MAX_OUTPUTS",
    "TransactionEssence",
    "inputs_commitment",
]

MAX_INPUTS = 128
"""Most inputs a transaction may consume."""
MAX_OUTPUTS = 128
"""Most outputs a transaction may create."""
INPUTS_COMMITMENT_LENGTH = 32
"""Bytes in the inputs commitment."""


def inputs_commitment(consumed: Sequence[Output]) -> bytes:
    """BLAKE2b-256 over the BLAKE2b-256 hashes of the consumed outputs' bytes, in input order."""
    return blake2b256(b"".join([blake2b256(o.to_bytes()) for o in consumed]))


@dataclass(frozen=True, slots=True)
class TransactionEssence(CachedSerializable):
    """What a transaction consumes and creates; its hash is what the unlocks sign."""

    KIND: ClassVar[int] = 1
    NAME: ClassVar[str] = "transaction essence"

    network_id: int
    inputs: tuple[UtxoInput, ...]
    inputs_commitment: bytes
    outputs: tuple[Output, ...]
    payload: TaggedDataPayload | None = None

    def __post_init__(self) -> None:
        err = InvalidTransactionError
        uint(self.network_id, U64_MAX, "the network id", err)
        set_ = object.__setattr__
        set_(self, "inputs", typed_tuple(self.inputs, UtxoInput, "the inputs", err))
        set_(self, "inputs_commitment", byte_string(self.inputs_commitment, "the inputs commitment", err))
        set_(self, "outputs", typed_tuple(self.outputs, OutputBase, "the outputs", err))
        if self.payload is not None and not isinstance(self.payload, TaggedDataPayload):
            raise InvalidTransactionError(
                f"a transaction may only embed a tagged data payload, not a {type(self.payload).__name__}"
            )
        if not 1 <= len(self.inputs) <= MAX_INPUTS:
            raise InvalidTransactionError(f"a transaction needs 1..{MAX_INPUTS} inputs, got {len(self.inputs)}")
        if len({i.output_id for i in self.inputs}) != len(self.inputs):
            raise InvalidTransactionError("a transaction lists the same input more than once")
        if len(self.inputs_commitment) != INPUTS_COMMITMENT_LENGTH:
            raise InvalidTransactionError(
                f"the inputs commitment is {INPUTS_COMMITMENT_LENGTH} bytes, got {len(self.inputs_commitment)}"
            )
        if not 1 <= len(self.outputs) <= MAX_OUTPUTS:
            raise InvalidTransactionError(f"a transaction needs 1..{MAX_OUTPUTS} outputs, got {len(self.outputs)}")

    def hash(self) -> bytes:
        """BLAKE2b-256 of the essence bytes: the message each signature unlock signs."""
        return blake2b256(self.to_bytes())

    def write_to(self, w: Writer) -> None:
        """Append the essence bytes, type byte included."""
        w.u8(self.KIND)
        w.u64(self.network_id)
        w.u16(len(self.inputs))
        for i in self.inputs:
            i.write_to(w)
        w.raw(self.inputs_commitment)
        w.u16(len(self.outputs))
        for o in self.outputs:
            w.raw(o.to_bytes())  # cached on the output
        w.prefixed(4, self.payload.to_bytes() if self.payload is not None else b"")

    @classmethod
    def read_from(cls, r: Reader) -> Self:
        """Read one essence, type byte included."""
        at = r.offset
        kind = r.u8("essence type")
        if kind != cls.KIND:
            raise DecodeError(f"unknown transaction essence type {kind} (only regular essences, type 1)", at)
        network_id = r.u64("network id")
        at = r.offset
        n_in = r.u16("input count")
        if not 1 <= n_in <= MAX_INPUTS:
            raise DecodeError(f"a transaction needs 1..{MAX_INPUTS} inputs, got {n_in}", at)
        inputs = tuple(UtxoInput.read_from(r) for _ in range(n_in))
        commitment = r.raw(INPUTS_COMMITMENT_LENGTH, "inputs commitment")
        at = r.offset
        n_out = r.u16("output count")
        if not 1 <= n_out <= MAX_OUTPUTS:
            raise DecodeError(f"a transaction needs 1..{MAX_OUTPUTS} outputs, got {n_out}", at)
        outputs = tuple(read_output(r) for _ in range(n_out))
        at = r.offset
        length = r.u32("essence payload length")
        payload: TaggedDataPayload | None = None
        if length:
            start = r.offset
            kind = r.peek_u32("essence payload type")
            if kind != TaggedDataPayload.KIND:
                raise DecodeError(
                    f"a transaction may only embed a tagged data payload (type 5), got {kind}", start
                )
            payload = TaggedDataPayload.read_from(r)
            if r.offset - start != length:
                raise DecodeError(
                    f"essence payload length says {length} bytes but the payload is {r.offset - start}", at
                )
        return cls(network_id, inputs, commitment, outputs, payload)

    def to_json(self) -> JsonObject:
        """The node API's JSON shape (``payload`` omitted when absent)."""
        out: JsonObject = {
            "type": self.KIND,
            "networkId": str(self.network_id),
            "inputs": [i.to_json() for i in self.inputs],
            "inputsCommitment": hex_from_bytes(self.inputs_commitment),
            "outputs": [o.to_json() for o in self.outputs],
        }
        if self.payload is not None:
            out["payload"] = self.payload.to_json()
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse the node API's JSON shape; errors name the field."""
        obj = require_object(d, path)
        kind = require_int(get_field(obj, "type", path), sub(path, "type"), 0, 255)
        if kind != cls.KIND:
            raise JsonShapeError(f"unknown transaction essence type {kind} (only type 1)", sub(path, "type"))
        network_id = int_from_dec(get_field(obj, "networkId", path), sub(path, "networkId"))
        in_path = sub(path, "inputs")
        raw_inputs = require_list(get_field(obj, "inputs", path), in_path)
        inputs = tuple(UtxoInput.from_json(v, f"{in_path}[{i}]") for i, v in enumerate(raw_inputs))
        commitment = hex_to_bytes(
            get_field(obj, "inputsCommitment", path), sub(path, "inputsCommitment"), INPUTS_COMMITMENT_LENGTH
        )
        out_path = sub(path, "outputs")
        raw_outputs = require_list(get_field(obj, "outputs", path), out_path)
        outputs = tuple(output_from_json(v, f"{out_path}[{i}]") for i, v in enumerate(raw_outputs))
        payload_v = obj.get("payload")
        payload = None
        if payload_v is not None:
            p_path = sub(path, "payload")
            p_obj = require_object(payload_v, p_path)
            p_kind = p_obj.get("type")
            if p_kind != TaggedDataPayload.KIND:
                raise JsonShapeError(
                    f"a transaction may only embed a tagged data payload (type 5), got {p_kind!r}",
                    sub(p_path, "type"),
                )
            payload = TaggedDataPayload.from_json(p_obj, p_path)
        for label, items, hi in (("inputs", inputs, MAX_INPUTS), ("outputs", outputs, MAX_OUTPUTS)):
            if not 1 <= len(items) <= hi:
                raise JsonShapeError(f"a transaction needs 1..{hi} {label}, got {len(items)}", sub(path, label))
        return cls(network_id, inputs, commitment, outputs, payload)
