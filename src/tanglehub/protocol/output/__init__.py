"""Outputs (TIP-18): Basic (3), Alias (4), Foundry (5) and NFT (6), their unlock conditions and features,
and the tagged-union dispatch over output types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.codec import Reader, read_cached
from tanglehub.protocol.errors import DecodeError
from tanglehub.protocol.jsonutil import hex_to_bytes, int_from_dec
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


_PLAIN_BASIC_LENGTH = 46
"""Bytes of the common deposit: ``u8 3 | u64 amount | u8 0 native tokens | u8 1 unlock condition | u8 0 Address
condition | u8 0 Ed25519 | 32-byte hash | u8 0 features``."""


def _plain_basic_from_bytes(data: bytes) -> BasicOutput | None:
    """The common deposit decoded without the general reader (the same output, its bytes kept as its
    serialization); None for every other output."""
    if len(data) != _PLAIN_BASIC_LENGTH or data[0] != 3 or data[9:13] != b"\x00\x01\x00\x00" or data[45] != 0:
        return None
    output = BasicOutput(
        int.from_bytes(data[1:9], "little"), (AddressUnlockCondition(Ed25519Address(data[13:45])),)
    )
    object.__setattr__(output, "_cached_bytes", data)
    return output


def output_from_bytes(data: bytes | bytearray | memoryview) -> Output:
    """Decode exactly one output of any type; trailing bytes are an error."""
    if type(data) is bytes:
        plain = _plain_basic_from_bytes(data)
        if plain is not None:
            return plain
    r = Reader(data)
    output = read_output(r)
    r.expect_end("output")
    return output


def _is_int(value: object, n: int) -> bool:
    return type(value) is int and value == n


def _plain_basic_from_json(d: dict[str, Any], path: str) -> BasicOutput | None:
    """The common deposit, ``{"type": 3, "amount", "unlockConditions": [one Address condition on an Ed25519
    address]}`` and nothing else, parsed without the general walk (the same checks on its values and the same
    output); None for every other shape (the general parser then decides)."""
    if len(d) != 3 or not _is_int(d.get("type"), 3):
        return None
    ucs = d.get("unlockConditions")
    amount = d.get("amount")
    if type(ucs) is not list or len(ucs) != 1 or type(amount) is not str:
        return None
    uc = ucs[0]
    if type(uc) is not dict or len(uc) != 2 or not _is_int(uc.get("type"), 0):
        return None
    address = uc.get("address")
    if type(address) is not dict or len(address) != 2 or not _is_int(address.get("type"), 0):
        return None
    key_hash = address.get("pubKeyHash")
    if type(key_hash) is not str:
        return None
    raw = hex_to_bytes(key_hash, f"{path}.unlockConditions[0].address.pubKeyHash", 32)
    value = int_from_dec(amount, f"{path}.amount")
    return BasicOutput(value, (AddressUnlockCondition(Ed25519Address(raw)),))


def output_from_json(d: object, path: str = "") -> Output:
    """Parse the node API's JSON of an output of any type."""
    if type(d) is dict:
        plain = _plain_basic_from_json(d, path)
        if plain is not None:
            return plain
    _obj, kind = json_kind(d, path)
    reject_unknown_kind(kind, OUTPUT_TYPES, "output", path)
    return OUTPUT_TYPES[kind].from_json(d, path)
