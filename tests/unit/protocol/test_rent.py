"""Storage deposit (TIP-19) and the parameter-dependent output checks in ``validate(params)``."""

from __future__ import annotations

import dataclasses

import pytest

from tanglehub.protocol.address import AliasAddress, Ed25519Address
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    BasicOutput,
    FoundryOutput,
    GovernorAddressUnlockCondition,
    ImmutableAliasAddressUnlockCondition,
    NftOutput,
    Output,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
)
from tanglehub.protocol.params import DEVNET, IOTA_MAINNET, SHIMMER_MAINNET, RentStructure
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.protocol.token_scheme import SimpleTokenScheme
from tanglehub.protocol.validation_errors import (
    InsufficientStorageDepositError,
    OutputAmountError,
    StorageDepositReturnError,
)

OWNER = Ed25519Address(bytes(range(32)))
SHIMMER = SHIMMER_MAINNET.rent_structure
IOTA = IOTA_MAINNET.rent_structure


def _basic(amount: int = 1, sdr: int | None = None) -> BasicOutput:
    ucs: tuple[AddressUnlockCondition | StorageDepositReturnUnlockCondition, ...] = (
        AddressUnlockCondition(OWNER),
    )
    if sdr is not None:
        ucs += (StorageDepositReturnUnlockCondition(OWNER, sdr),)
    return BasicOutput(amount, ucs)


MINIMAL: dict[str, Output] = {
    "basic": _basic(),
    "basic_with_storage_deposit_return": _basic(sdr=1),
    "alias": AliasOutput(1, (StateControllerAddressUnlockCondition(OWNER), GovernorAddressUnlockCondition(OWNER))),
    "foundry": FoundryOutput(
        1, (ImmutableAliasAddressUnlockCondition(AliasAddress(bytes(32))),), 1, SimpleTokenScheme(0, 0, 1)
    ),
    "nft": NftOutput(1, (AddressUnlockCondition(OWNER),)),
}
# (serialized length, vbytes at factors 10/1) from TIP-19 / iota.go, see extracted_vectors.json.
EXPECTED = {
    "basic": (46, 426),
    "basic_with_storage_deposit_return": (88, 468),
    "alias": (123, 503),
    "foundry": (148, 528),
    "nft": (79, 459),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_minimal_output_sizes_and_deposits(name: str) -> None:
    length, vbytes = EXPECTED[name]
    out = MINIMAL[name]
    assert len(out.to_bytes()) == length
    assert storage_deposit(out, SHIMMER) == vbytes * 100
    assert storage_deposit(out, IOTA) == vbytes * 250
    assert out.storage_deposit(SHIMMER_MAINNET) == vbytes * 100


def test_min_deposit_basic() -> None:
    assert min_deposit_basic(SHIMMER) == 42600
    assert min_deposit_basic(IOTA) == 106500
    assert min_deposit_basic(RentStructure(1, 0, 0)) == 0


def test_each_native_token_adds_70_data_bytes() -> None:
    tokens = tuple(NativeToken(bytes([8]) + bytes(36) + bytes([i]), 1) for i in range(3))
    out = dataclasses.replace(_basic(), native_tokens=tokens)
    assert storage_deposit(out, SHIMMER) == 42600 + 3 * 70 * 100


def test_weights_apply_to_key_and_data_separately() -> None:
    # 34 key bytes * 7 + (40 + 46) data bytes * 3, times 2
    assert storage_deposit(_basic(), RentStructure(2, 3, 7)) == 2 * (34 * 7 + 86 * 3)


def test_validate_accepts_exact_deposit_and_rejects_one_less() -> None:
    _basic(42600).validate(DEVNET)
    with pytest.raises(InsufficientStorageDepositError, match="storage deposit is 42600") as info:
        _basic(42599).validate(DEVNET)
    assert (info.value.required, info.value.amount) == (42600, 42599)


def test_validate_rejects_amount_above_supply() -> None:
    with pytest.raises(OutputAmountError, match="token supply"):
        _basic(DEVNET.token_supply + 1).validate(DEVNET)
    _basic(DEVNET.token_supply).validate(DEVNET)


def test_validate_storage_deposit_return_bounds() -> None:
    _basic(100_000, sdr=42600).validate(DEVNET)
    _basic(100_000, sdr=100_000).validate(DEVNET)
    with pytest.raises(StorageDepositReturnError, match="below the minimum deposit 42600"):
        _basic(100_000, sdr=42599).validate(DEVNET)
    with pytest.raises(StorageDepositReturnError, match="exceeds the output amount"):
        _basic(100_000, sdr=100_001).validate(DEVNET)
