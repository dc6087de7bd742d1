"""Block payloads: tagged data (5), transaction (6) and milestone (7), with dispatch on the u32 type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tanglehub.protocol.codec import Reader, read_cached
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.jsonutil import get_field, require_int, require_object
from tanglehub.protocol.payload._common import sub
from tanglehub.protocol.payload.essence import (
    INPUTS_COMMITMENT_LENGTH,
    MAX_INPUTS,
    MAX_OUTPUTS,
    TransactionEssence,
    inputs_commitment,
)
from tanglehub.protocol.payload.milestone import (
    MAX_MILESTONE_SIGNATURES,
    MilestoneEssence,
    MilestonePayload,
    ProtocolParamsMilestoneOption,
)
from tanglehub.protocol.payload.tagged_data import MAX_TAG_LENGTH, TaggedDataPayload
from tanglehub.protocol.payload.transaction import TransactionPayload, check_unlocks

__all__ = [
    "INPUTS_COMMITMENT_LENGTH",
    "MAX_INPUTS",
    "MAX_MILESTONE_SIGNATURES",
    "MAX_OUTPUTS",
    "MAX_TAG_LENGTH",
    "MilestoneEssence",
    "MilestonePayload",
    "PAYLOAD_KINDS",
    "Payload",
    "ProtocolParamsMilestoneOption",
    "TaggedDataPayload",
    "TransactionEssence",
    "TransactionPayload",
    "check_unlocks",
    "inputs_commitment",
    "payload_from_bytes",
    "payload_from_json",
    "read_payload",
]

Payload = TaggedDataPayload | TransactionPayload | MilestonePayload
"""Any payload a block may carry."""

PAYLOAD_KINDS: dict[int, type[Payload]] = {
    TaggedDataPayload.KIND: TaggedDataPayload,
    TransactionPayload.KIND: TransactionPayload,
    MilestonePayload.KIND: MilestonePayload,
}
"""Payload classes by their u32 type."""

_KNOWN = "5 tagged data, 6 transaction, 7 milestone"


def read_payload(r: Reader) -> Payload:
    """Read any block payload, dispatching on its u32 type."""
    kind = r.peek_u32("payload type")
    cls = PAYLOAD_KINDS.get(kind)
    if cls is None:
        raise DecodeError(f"unsupported payload type {kind} (known: {_KNOWN})", r.offset)
    reader: Callable[[Reader], Payload] = cls.read_from
    return read_cached(r, reader)


def payload_from_bytes(data: bytes) -> Payload:
    """Decode exactly one payload; trailing bytes are an error."""
    r = Reader(data)
    p = read_payload(r)
    r.expect_end("payload")
    return p


def payload_from_json(d: Mapping[str, Any], path: str = "") -> Payload:
    """Parse any block payload from the node API's JSON shape."""
    obj = require_object(d, path)
    kind = require_int(get_field(obj, "type", path), sub(path, "type"), 0, 2**32 - 1)
    cls = PAYLOAD_KINDS.get(kind)
    if cls is None:
        raise JsonShapeError(f"unsupported payload type {kind} (known: {_KNOWN})", sub(path, "type"))
    return cls.from_json(obj, path)
