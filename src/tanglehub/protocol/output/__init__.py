"""Outputs (TIP-18): Basic (3), Alias (4), Foundry (5) and NFT (6), their unlock conditions and features,
and the tagged-union dispatch over output types."""

from __future__ import annotations

from collections.abc import Callable

from tanglehub.protocol.codec import Reader, read_cached
from tanglehub.protocol.errors import DecodeError
from tanglehub.protocol.output.alias import AliasOutput
from tanglehub.protocol.output.base import OutputBase
from tanglehub.protocol.output.basic import BasicOutput
from tanglehub.protocol.output.common import json_kind, reject_unknown_kind
from tanglehub.protocol.output.features import (
    FEATURE_TYPES,
    MAX_METADATA_LENGTH,
    MAX_TAG_LENGTH,
    Feature,
    IssuerFeature,
    MetadataFeature,
    SenderFeature,
    TagFeature,
    feature_from_json,
    read_feature,
)
from tanglehub.protocol.output.foundry import FoundryOutput
from tanglehub.protocol.output.nft import NftOutput
from tanglehub.protocol.output.unlock_conditions import (
    UNLOCK_CONDITION_TYPES,
    AddressUnlockCondition,
    ExpirationUnlockCondition,
    GovernorAddressUnlockCondition,
    ImmutableAliasAddressUnlockCondition,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
    UnlockCondition,
    read_unlock_condition,
    unlock_condition_from_json,
)

__all__ = [
    "AddressUnlockCondition",
    "AliasOutput",
    "BasicOutput",
    "ExpirationUnlockCondition",
    "FEATURE_TYPES",
    "Feature",
    "FoundryOutput",
    "GovernorAddressUnlockCondition",
    "ImmutableAliasAddressUnlockCondition",
    "IssuerFeature",
    "MAX_METADATA_LENGTH",
    "MAX_TAG_LENGTH",
    "MetadataFeature",
    "NftOutput",
    "OUTPUT_TYPES",
    "Output",
    "OutputBase",
    "SenderFeature",
    "StateControllerAddressUnlockCondition",
    "StorageDepositReturnUnlockCondition",
    "TagFeature",
    "TimelockUnlockCondition",
    "UNLOCK_CONDITION_TYPES",
    "UnlockCondition",
    "feature_from_json",
    "output_from_bytes",
    "output_from_json",
    "read_feature",
    "read_output",
    "read_unlock_condition",
    "unlock_condition_from_json",
]

Output = BasicOutput | AliasOutput | FoundryOutput | NftOutput
"""Any Stardust output."""

OUTPUT_TYPES: dict[int, type[Output]] = {
    cls.KIND: cls for cls in (BasicOutput, AliasOutput, FoundryOutput, NftOutput)
}
"""Output classes by type byte."""


def read_output(r: Reader) -> Output:
    """Read an output of any type."""
    at = r.offset
    kind = r.peek_u8("output type")
    cls = OUTPUT_TYPES.get(kind)
    if cls is None:
        raise DecodeError(f"unknown output type {kind} (expected 3, 4, 5 or 6)", at)
    reader: Callable[[Reader], Output] = cls.read_from
    return read_cached(r, reader)


def output_from_bytes(data: bytes | bytearray | memoryview) -> Output:
    """Decode exactly one output of any type; trailing bytes are an error."""
    r = Reader(data)
    output = read_output(r)
    r.expect_end("output")
    return output


def output_from_json(d: object, path: str = "") -> Output:
    """Parse the node API's JSON of an output of any type."""
    _obj, kind = json_kind(d, path)
    reject_unknown_kind(kind, OUTPUT_TYPES, "output", path)
    return OUTPUT_TYPES[kind].from_json(d, path)
