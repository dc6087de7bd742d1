"""Stardust protocol types with binary and JSON codecs, ids, storage deposit, parameters, PoW and
validation. Submodules hold the details; the names below are the public surface.

Addresses, outputs, parameters, ids and rent are imported eagerly (every layer needs them and they are
light). Inputs, unlocks, payloads, blocks, validation, PoW and Merkle roots are imported on first access
(PEP 562), so ``import tanglehub.protocol`` stays cheap and free of import cycles.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tanglehub.protocol.address import (
    Address,
    AliasAddress,
    Ed25519Address,
    NftAddress,
    address_from_bech32,
    address_from_bytes,
    address_from_json,
    read_address,
    write_address,
)
from tanglehub.protocol.ids import (
    alias_id_from_output_id,
    blake2b256,
    foundry_id,
    network_id,
    nft_id_from_output_id,
    output_id,
    split_output_id,
)
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    BasicOutput,
    ExpirationUnlockCondition,
    Feature,
    FoundryOutput,
    GovernorAddressUnlockCondition,
    ImmutableAliasAddressUnlockCondition,
    IssuerFeature,
    MetadataFeature,
    NftOutput,
    Output,
    SenderFeature,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TagFeature,
    TimelockUnlockCondition,
    UnlockCondition,
    output_from_bytes,
    output_from_json,
    read_output,
)
from tanglehub.protocol.params import (
    DEVNET,
    IOTA_MAINNET,
    SHIMMER_MAINNET,
    SHIMMER_TESTNET,
    ProtocolParameters,
    RentStructure,
)
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.protocol.token_scheme import SimpleTokenScheme, TokenScheme

if TYPE_CHECKING:
    from tanglehub.protocol.block import Block
    from tanglehub.protocol.input import UtxoInput
    from tanglehub.protocol.merkle import merkle_root
    from tanglehub.protocol.payload import (
        MilestoneEssence,
        MilestonePayload,
        Payload,
        ProtocolParamsMilestoneOption,
        TaggedDataPayload,
        TransactionEssence,
        TransactionPayload,
        inputs_commitment,
        payload_from_json,
        read_payload,
    )
    from tanglehub.protocol.pow import find_nonce, pow_score
    from tanglehub.protocol.semantic import ConflictReason, verify_transaction
    from tanglehub.protocol.syntax import validate_block, validate_transaction
    from tanglehub.protocol.unlock import (
        AliasUnlock,
        Ed25519Signature,
        NftUnlock,
        ReferenceUnlock,
        SignatureUnlock,
        Unlock,
        read_unlock,
        unlock_from_json,
    )

_LAZY: dict[str, str] = {
    "AliasUnlock": "unlock",
    "Block": "block",
    "ConflictReason": "semantic",
    "Ed25519Signature": "unlock",
    "MilestoneEssence": "payload",
    "MilestonePayload": "payload",
    "NftUnlock": "unlock",
    "Payload": "payload",
    "ProtocolParamsMilestoneOption": "payload",
    "ReferenceUnlock": "unlock",
    "SignatureUnlock": "unlock",
    "TaggedDataPayload": "payload",
    "TransactionEssence": "payload",
    "TransactionPayload": "payload",
    "Unlock": "unlock",
    "UtxoInput": "input",
    "find_nonce": "pow",
    "inputs_commitment": "payload",
    "merkle_root": "merkle",
    "payload_from_json": "payload",
    "pow_score": "pow",
    "read_payload": "payload",
    "read_unlock": "unlock",
    "unlock_from_json": "unlock",
    "validate_block": "syntax",
    "validate_transaction": "syntax",
    "verify_transaction": "semantic",
}


def __getattr__(name: str) -> Any:
    """Import the lazily re-exported names on first access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tanglehub.protocol' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tanglehub.protocol.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Address",
    "AddressUnlockCondition",
    "AliasAddress",
    "AliasOutput",
    "AliasUnlock",
    "BasicOutput",
    "Block",
    "ConflictReason",
    "DEVNET",
    "Ed25519Address",
    "Ed25519Signature",
    "ExpirationUnlockCondition",
    "Feature",
    "FoundryOutput",
    "GovernorAddressUnlockCondition",
    "IOTA_MAINNET",
    "ImmutableAliasAddressUnlockCondition",
    "IssuerFeature",
    "MetadataFeature",
    "MilestoneEssence",
    "MilestonePayload",
    "NativeToken",
    "NftAddress",
    "NftOutput",
    "NftUnlock",
    "Output",
    "Payload",
    "ProtocolParameters",
    "ProtocolParamsMilestoneOption",
    "ReferenceUnlock",
    "RentStructure",
    "SHIMMER_MAINNET",
    "SHIMMER_TESTNET",
    "SenderFeature",
    "SignatureUnlock",
    "SimpleTokenScheme",
    "StateControllerAddressUnlockCondition",
    "StorageDepositReturnUnlockCondition",
    "TagFeature",
    "TaggedDataPayload",
    "TimelockUnlockCondition",
    "TokenScheme",
    "TransactionEssence",
    "TransactionPayload",
    "Unlock",
    "UnlockCondition",
    "UtxoInput",
    "address_from_bech32",
    "address_from_bytes",
    "address_from_json",
    "alias_id_from_output_id",
    "blake2b256",
    "find_nonce",
    "foundry_id",
    "inputs_commitment",
    "merkle_root",
    "min_deposit_basic",
    "network_id",
    "nft_id_from_output_id",
    "output_from_bytes",
    "output_from_json",
    "output_id",
    "payload_from_json",
    "pow_score",
    "read_address",
    "read_output",
    "read_payload",
    "read_unlock",
    "split_output_id",
    "storage_deposit",
    "unlock_from_json",
    "validate_block",
    "validate_transaction",
    "verify_transaction",
    "write_address",
]
