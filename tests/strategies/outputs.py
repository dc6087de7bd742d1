"""Hypothesis strategies for syntactically and parameter-valid outputs of all four kinds.

Every output drawn here passes ``output.validate(params)``: its amount covers the storage deposit, stays
within the token supply, and any storage deposit return lies between the minimum deposit and the amount.
Reuse: ``outputs()`` (any kind), ``basic_outputs()``, ``alias_outputs()``, ``foundry_outputs()``,
``nft_outputs()``, plus the building blocks ``addresses()``, ``native_token_lists()``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from hypothesis import strategies as st

from tanglehub.protocol.address import Address, AliasAddress, Ed25519Address, NftAddress
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
)
from tanglehub.protocol.params import DEVNET, ProtocolParameters
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.protocol.token_scheme import SimpleTokenScheme

__all__ = [
    "addresses",
    "alias_outputs",
    "basic_outputs",
    "features",
    "foundry_outputs",
    "native_token_lists",
    "nft_outputs",
    "outputs",
    "token_schemes",
]

_O = TypeVar("_O", BasicOutput, AliasOutput, FoundryOutput, NftOutput)

ids32 = st.binary(min_size=32, max_size=32)
unix_times = st.integers(1, 0xFFFF_FFFF)
u256_positive = st.integers(1, (1 << 256) - 1)


def addresses(kinds: tuple[int, ...] = (0, 8, 16)) -> st.SearchStrategy[Address]:
    """Addresses of the given kinds (default: all three)."""
    table: dict[int, Any] = {0: Ed25519Address, 8: AliasAddress, 16: NftAddress}
    return st.one_of(*(st.builds(table[k], ids32) for k in kinds))


def native_token_lists(max_size: int = 4) -> st.SearchStrategy[tuple[NativeToken, ...]]:
    """Sorted lists of distinct native tokens (0..max_size, at most 64)."""
    token_ids = st.binary(min_size=38, max_size=38)
    return st.lists(token_ids, max_size=max_size, unique=True).flatmap(
        lambda ids: st.tuples(*(st.builds(NativeToken, st.just(i), u256_positive) for i in sorted(ids)))
    )


def _feature(kind: type[Any]) -> st.SearchStrategy[Feature]:
    if kind is SenderFeature:
        return st.builds(SenderFeature, addresses())
    if kind is IssuerFeature:
        return st.builds(IssuerFeature, addresses())
    if kind is MetadataFeature:
        return st.builds(
            MetadataFeature, st.one_of(st.binary(min_size=1, max_size=64), st.binary(min_size=8192, max_size=8192))
        )
    return st.builds(TagFeature, st.binary(min_size=1, max_size=64))


def features(allowed: tuple[type[Any], ...]) -> st.SearchStrategy[tuple[Feature, ...]]:
    """A sorted subset of the ``allowed`` feature kinds, one feature each."""
    return st.lists(st.sampled_from(allowed), unique=True).flatmap(
        lambda kinds: st.tuples(*(_feature(k) for k in sorted(kinds, key=lambda c: c.KIND)))
    )


@st.composite
def _owner_ucs(
    draw: st.DrawFn, params: ProtocolParameters, owner: st.SearchStrategy[Address]
) -> tuple[UnlockCondition, ...]:
    ucs: list[UnlockCondition] = [AddressUnlockCondition(draw(owner))]
    minimum = min_deposit_basic(params.rent_structure)
    if draw(st.booleans()):
        ucs.append(
            StorageDepositReturnUnlockCondition(draw(addresses()), draw(st.integers(minimum, 10 * minimum)))
        )
    if draw(st.booleans()):
        ucs.append(TimelockUnlockCondition(draw(unix_times)))
    if draw(st.booleans()):
        ucs.append(ExpirationUnlockCondition(draw(addresses()), draw(unix_times)))
    return tuple(ucs)


def _fund(draw: st.DrawFn, output: _O, params: ProtocolParameters) -> _O:
    """Replace the placeholder amount by one that covers the deposit (and any return amount)."""
    floor = storage_deposit(output, params.rent_structure)
    sdruc = output.unlock_condition(StorageDepositReturnUnlockCondition)
    if sdruc is not None:
        floor = max(floor, sdruc.amount)
    amount = draw(st.one_of(st.integers(floor, floor + 10**9), st.integers(floor, params.token_supply)))
    return dataclasses.replace(output, amount=amount)


@st.composite
def basic_outputs(draw: st.DrawFn, params: ProtocolParameters = DEVNET, max_tokens: int = 4) -> BasicOutput:
    """Valid Basic outputs with any combination of unlock conditions, features and native tokens."""
    out = BasicOutput(
        amount=1,
        unlock_conditions=draw(_owner_ucs(params, addresses())),
        native_tokens=draw(native_token_lists(max_tokens)),
        features=draw(features(BasicOutput.ALLOWED_FEATURES)),
    )
    return _fund(draw, out, params)


@st.composite
def alias_outputs(draw: st.DrawFn, params: ProtocolParameters = DEVNET, max_tokens: int = 4) -> AliasOutput:
    """Valid Alias outputs: new (zero id, zero counters) or existing (not controlling itself)."""
    new = draw(st.booleans())
    alias_id = bytes(32) if new else draw(ids32.filter(any))
    own = AliasAddress(alias_id)
    controller = draw(addresses().filter(lambda a: new or a != own))
    governor = draw(addresses().filter(lambda a: new or a != own))
    out = AliasOutput(
        amount=1,
        unlock_conditions=(
            StateControllerAddressUnlockCondition(controller),
            GovernorAddressUnlockCondition(governor),
        ),
        alias_id=alias_id,
        state_index=0 if new else draw(st.integers(0, 0xFFFF_FFFF)),
        state_metadata=draw(st.one_of(st.just(b""), st.binary(max_size=128))),
        foundry_counter=0 if new else draw(st.integers(0, 0xFFFF_FFFF)),
        native_tokens=draw(native_token_lists(max_tokens)),
        features=draw(features(AliasOutput.ALLOWED_FEATURES)),
        immutable_features=draw(features(AliasOutput.ALLOWED_IMMUTABLE_FEATURES)),
    )
    return _fund(draw, out, params)


@st.composite
def token_schemes(draw: st.DrawFn) -> SimpleTokenScheme:
    """Consistent simple token schemes (melted <= minted, circulating <= maximum supply)."""
    maximum = draw(u256_positive)
    melted = draw(st.integers(0, (1 << 256) - 1))
    circulating = draw(st.integers(0, maximum))
    minted = melted + circulating
    if minted >= 1 << 256:
        minted, melted = circulating, 0
    return SimpleTokenScheme(minted, melted, maximum)


@st.composite
def foundry_outputs(draw: st.DrawFn, params: ProtocolParameters = DEVNET, max_tokens: int = 4) -> FoundryOutput:
    """Valid Foundry outputs."""
    out = FoundryOutput(
        amount=1,
        unlock_conditions=(ImmutableAliasAddressUnlockCondition(AliasAddress(draw(ids32))),),
        serial_number=draw(st.integers(1, 0xFFFF_FFFF)),
        token_scheme=draw(token_schemes()),
        native_tokens=draw(native_token_lists(max_tokens)),
        features=draw(features(FoundryOutput.ALLOWED_FEATURES)),
        immutable_features=draw(features(FoundryOutput.ALLOWED_IMMUTABLE_FEATURES)),
    )
    return _fund(draw, out, params)


@st.composite
def nft_outputs(draw: st.DrawFn, params: ProtocolParameters = DEVNET, max_tokens: int = 4) -> NftOutput:
    """Valid NFT outputs: new (zero id) or existing (not owned by itself)."""
    nft_id = draw(st.one_of(st.just(bytes(32)), ids32))
    own = NftAddress(nft_id)
    owner = addresses().filter(lambda a: not any(nft_id) or a != own)
    out = NftOutput(
        amount=1,
        unlock_conditions=draw(_owner_ucs(params, owner)),
        nft_id=nft_id,
        native_tokens=draw(native_token_lists(max_tokens)),
        features=draw(features(NftOutput.ALLOWED_FEATURES)),
        immutable_features=draw(features(NftOutput.ALLOWED_IMMUTABLE_FEATURES)),
    )
    return _fund(draw, out, params)


def outputs(params: ProtocolParameters = DEVNET, max_tokens: int = 4) -> st.SearchStrategy[Output]:
    """Valid outputs of any kind."""
    return st.one_of(
        basic_outputs(params, max_tokens),
        alias_outputs(params, max_tokens),
        foundry_outputs(params, max_tokens),
        nft_outputs(params, max_tokens),
    )
