"""Outputs: real testnet outputs round-trip; malformed bytes and JSON fail with precise errors; TIP-18
syntactic rules reject bad lists, ids and values whether the output is built or decoded."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.errors import ProtocolValidationError
from tanglehub.protocol.address import AliasAddress, Ed25519Address, NftAddress
from tanglehub.protocol.errors import DecodeError, JsonShapeError
from tanglehub.protocol.ids import alias_id_from_output_id, foundry_id, nft_id_from_output_id
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    BasicOutput,
    ExpirationUnlockCondition,
    FoundryOutput,
    GovernorAddressUnlockCondition,
    ImmutableAliasAddressUnlockCondition,
    IssuerFeature,
    MetadataFeature,
    NftOutput,
    SenderFeature,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TagFeature,
    TimelockUnlockCondition,
    output_from_bytes,
    output_from_json,
)
from tanglehub.protocol.token_scheme import SimpleTokenScheme
from tanglehub.protocol.validation_errors import (
    InvalidFeatureError,
    InvalidNativeTokenError,
    InvalidOutputError,
    InvalidTokenSchemeError,
    InvalidUnlockConditionError,
    OutputAmountError,
)

BLOCK_DICTS: list[dict[str, Any]] = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())
FIXTURES = [o for b in BLOCK_DICTS for o in ((b.get("payload") or {}).get("essence") or {}).get("outputs", [])]
BY_TYPE = {o["type"]: o for o in FIXTURES}
A = Ed25519Address(bytes([1]) * 32)
B = Ed25519Address(bytes([2]) * 32)
OWNER = AddressUnlockCondition(A)


def test_fixtures_cover_every_output_type() -> None:
    assert set(BY_TYPE) == {3, 4, 5, 6}
    assert any(len(o.get("nativeTokens", [])) > 50 for o in FIXTURES)


@pytest.mark.parametrize("index", range(len(FIXTURES)))
def test_fixture_round_trips(index: int) -> None:
    d = FIXTURES[index]
    out = output_from_json(d)
    assert out.to_json() == d
    raw = out.to_bytes()
    assert raw[0] == d["type"]
    assert output_from_bytes(raw) == out
    assert type(out).from_bytes(raw) == out


@pytest.mark.parametrize("index", range(len(FIXTURES)))
def test_truncation_at_every_offset_is_a_decode_error(index: int) -> None:
    raw = output_from_json(FIXTURES[index]).to_bytes()
    for cut in range(len(raw)):
        with pytest.raises(DecodeError) as info:
            output_from_bytes(raw[:cut])
        assert info.value.offset is not None
    with pytest.raises(DecodeError, match="trailing"):
        output_from_bytes(raw + b"\x00")


def test_fixture_chain_helpers() -> None:
    alias = output_from_json(BY_TYPE[4])
    foundry = output_from_json(BY_TYPE[5])
    nft = output_from_json(BY_TYPE[6])
    assert isinstance(alias, AliasOutput)
    assert isinstance(foundry, FoundryOutput)
    assert isinstance(nft, NftOutput)
    some_output_id = bytes(34)
    assert alias.chain_id(some_output_id) == alias.alias_id
    assert alias.alias_address(some_output_id) == AliasAddress(alias.alias_id)
    assert foundry.alias_address == AliasAddress(alias.alias_id)
    assert foundry.foundry_id == foundry_id(alias.alias_id, 1) == foundry.token_id == foundry.chain_id()
    assert nft.chain_id(some_output_id) == nft.nft_id
    assert alias.address == alias.state_controller
    assert alias.feature(SenderFeature) is not None
    assert alias.immutable_feature(IssuerFeature) is not None


def test_implicit_chain_ids_come_from_the_output_id() -> None:
    oid = bytes(range(34))
    alias = AliasOutput(1, (StateControllerAddressUnlockCondition(A), GovernorAddressUnlockCondition(B)))
    nft = NftOutput(1, (OWNER,))
    assert alias.chain_id(oid) == alias_id_from_output_id(oid)
    assert nft.nft_address(oid) == NftAddress(nft_id_from_output_id(oid))


def test_accessors() -> None:
    timelock = TimelockUnlockCondition(5)
    out = BasicOutput(1, [OWNER, timelock], features=[TagFeature(b"t")])  # type: ignore[arg-type]
    assert out.unlock_conditions == (OWNER, timelock)  # lists are stored as tuples
    assert out.address == A
    assert out.unlock_condition(TimelockUnlockCondition) == timelock
    assert out.unlock_condition(ExpirationUnlockCondition) is None
    assert out.feature(TagFeature) == TagFeature(b"t")
    assert out.immutable_feature(IssuerFeature) is None
    assert not out.is_simple
    assert BasicOutput(1, (OWNER,)).is_simple
    assert hash(out) == hash(BasicOutput(1, (OWNER, timelock), features=(TagFeature(b"t"),)))


# -- TIP-18 rules, built ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: BasicOutput(0, (OWNER,)), OutputAmountError, "amount"),
        (lambda: BasicOutput(1 << 64, (OWNER,)), OutputAmountError, "amount"),
        (lambda: BasicOutput(1, ()), InvalidUnlockConditionError, "needs a Address unlock condition"),
        (lambda: BasicOutput(1, (TimelockUnlockCondition(1), OWNER)), InvalidUnlockConditionError, "not sorted"),
        (lambda: BasicOutput(1, (OWNER, OWNER)), InvalidUnlockConditionError, "duplicated"),
        (
            lambda: BasicOutput(1, (OWNER, GovernorAddressUnlockCondition(A))),
            InvalidUnlockConditionError,
            "does not allow",
        ),
        (lambda: BasicOutput(1, (OWNER,), features=(IssuerFeature(A),)), InvalidFeatureError, "does not allow"),
        (
            lambda: BasicOutput(1, (OWNER,), features=(TagFeature(b"x"), SenderFeature(A))),
            InvalidFeatureError,
            "not sorted",
        ),
        (lambda: TimelockUnlockCondition(0), InvalidUnlockConditionError, "unix time"),
        (lambda: ExpirationUnlockCondition(A, 0), InvalidUnlockConditionError, "unix time"),
        (lambda: ImmutableAliasAddressUnlockCondition(A), InvalidUnlockConditionError, "alias address"),  # type: ignore[arg-type]
        (lambda: TagFeature(b""), InvalidFeatureError, "1..64"),
        (lambda: TagFeature(bytes(65)), InvalidFeatureError, "1..64"),
        (lambda: MetadataFeature(bytes(8193)), InvalidFeatureError, "1..8192"),
        (lambda: NativeToken(bytes(38), 0), InvalidNativeTokenError, "between 1"),
        (lambda: NativeToken(bytes(37), 1), InvalidNativeTokenError, "38 bytes"),
        (lambda: SimpleTokenScheme(1, 2, 5), InvalidTokenSchemeError, "melted"),
        (lambda: SimpleTokenScheme(9, 0, 5), InvalidTokenSchemeError, "maximum supply"),
        (lambda: SimpleTokenScheme(0, 0, 0), InvalidTokenSchemeError, "greater than zero"),
        (
            lambda: AliasOutput(1, (StateControllerAddressUnlockCondition(A),)),
            InvalidUnlockConditionError,
            "needs a Governor",
        ),
        (
            lambda: AliasOutput(
                1, (StateControllerAddressUnlockCondition(A), GovernorAddressUnlockCondition(A)), state_index=1
            ),
            InvalidOutputError,
            "state index 0",
        ),
        (
            lambda: AliasOutput(
                1,
                (
                    StateControllerAddressUnlockCondition(AliasAddress(b"\x07" * 32)),
                    GovernorAddressUnlockCondition(A),
                ),
                alias_id=b"\x07" * 32,
            ),
            InvalidOutputError,
            "its own",
        ),
        (
            lambda: AliasOutput(
                1,
                (StateControllerAddressUnlockCondition(A), GovernorAddressUnlockCondition(A)),
                state_metadata=bytes(8193),
            ),
            InvalidOutputError,
            "8192",
        ),
        (
            lambda: NftOutput(1, (AddressUnlockCondition(NftAddress(b"\x05" * 32)),), nft_id=b"\x05" * 32),
            InvalidOutputError,
            "its own address",
        ),
        (
            lambda: FoundryOutput(
                1, (ImmutableAliasAddressUnlockCondition(AliasAddress(bytes(32))),), 0, SimpleTokenScheme(0, 0, 1)
            ),
            InvalidOutputError,
            "serial number",
        ),
    ],
)
def test_rule_violations_are_rejected(build: Any, error: type[ProtocolValidationError], match: str) -> None:
    with pytest.raises(error, match=match):
        build()


def test_native_token_lists_must_be_sorted_unique_and_short() -> None:
    t1, t2 = NativeToken(b"\x01" * 38, 1), NativeToken(b"\x02" * 38, 1)
    BasicOutput(1, (OWNER,), native_tokens=(t1, t2))
    with pytest.raises(InvalidNativeTokenError, match="not sorted"):
        BasicOutput(1, (OWNER,), native_tokens=(t2, t1))
    with pytest.raises(InvalidNativeTokenError, match="duplicated"):
        BasicOutput(1, (OWNER,), native_tokens=(t1, t1))
    many = tuple(NativeToken(i.to_bytes(38, "big"), 1) for i in range(65))
    BasicOutput(1, (OWNER,), native_tokens=many[:64])
    with pytest.raises(InvalidNativeTokenError, match="at most 64"):
        BasicOutput(1, (OWNER,), native_tokens=many)


def test_limits_are_inclusive() -> None:
    BasicOutput((1 << 64) - 1, (OWNER, TimelockUnlockCondition(0xFFFF_FFFF)), features=(TagFeature(bytes(64)),))
    MetadataFeature(bytes(8192))
    SimpleTokenScheme((1 << 256) - 1, (1 << 256) - 1, 1)


# -- the same rules, decoded --------------------------------------------------------------------------


def _swap_ucs(raw: bytes) -> bytes:
    """A Basic output with Address + Timelock UCs, re-encoded with the UCs in the wrong order."""
    out = BasicOutput(1, (OWNER, TimelockUnlockCondition(7)))
    head = raw[:10]
    uc_owner = OWNER.to_bytes()
    uc_time = TimelockUnlockCondition(7).to_bytes()
    assert raw == out.to_bytes() == head + bytes([2]) + uc_owner + uc_time + b"\x00"
    return head + bytes([2]) + uc_time + uc_owner + b"\x00"


def test_unsorted_unlock_conditions_in_bytes_are_rejected() -> None:
    raw = BasicOutput(1, (OWNER, TimelockUnlockCondition(7))).to_bytes()
    with pytest.raises(InvalidUnlockConditionError, match="not sorted"):
        output_from_bytes(_swap_ucs(raw))


def test_unsorted_unlock_conditions_in_json_are_rejected() -> None:
    d = BasicOutput(1, (OWNER, TimelockUnlockCondition(7))).to_json()
    d["unlockConditions"].reverse()
    with pytest.raises(InvalidUnlockConditionError, match="not sorted"):
        output_from_json(d)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        (b"\x02" + bytes(20), "unknown output type 2"),
        (bytes([3]) + (1).to_bytes(8, "little") + b"\x00\x01\x09", "unknown unlock condition type 9"),
        (bytes([3]) + (1).to_bytes(8, "little") + b"\x00\x05", "5 unlock conditions"),
        (bytes([3]) + (1).to_bytes(8, "little") + b"\x41", "65 native tokens"),
        (bytes([3]) + (1).to_bytes(8, "little") + b"\x00\x01\x00\x03" + bytes(32), "unknown address kind 3"),
    ],
)
def test_structural_decode_errors(raw: bytes, match: str) -> None:
    with pytest.raises(DecodeError, match=match):
        output_from_bytes(raw)


def test_unknown_feature_and_oversized_tag_in_bytes() -> None:
    base = BasicOutput(1, (OWNER,)).to_bytes()[:-1]
    with pytest.raises(DecodeError, match="unknown feature type 7"):
        output_from_bytes(base + b"\x01\x07")
    with pytest.raises(DecodeError, match="65 bytes long"):
        output_from_bytes(base + b"\x01\x03\x41" + bytes(65))


# -- JSON errors name the field -----------------------------------------------------------------------


def _broken(kind: int, mutate: Any) -> dict[str, Any]:
    d = json.loads(json.dumps(BY_TYPE[kind]))
    mutate(d)
    return d


@pytest.mark.parametrize(
    ("d", "path"),
    [
        (_broken(3, lambda d: d.update(amount="1.5")), "outputs[0].amount"),
        (_broken(3, lambda d: d.update(amount=None)), "outputs[0].amount"),
        (_broken(3, lambda d: d.pop("unlockConditions")), "missing field 'unlockConditions'"),
        (_broken(3, lambda d: d.update(unlockConditions={})), "outputs[0].unlockConditions"),
        (
            _broken(3, lambda d: d["unlockConditions"][0]["address"].update(pubKeyHash=7)),
            "outputs[0].unlockConditions[0].address.pubKeyHash",
        ),
        (_broken(3, lambda d: d.update(features="x")), "outputs[0].features"),
        (_broken(3, lambda d: d.update(features=[{"type": 9}])), "outputs[0].features[0].type"),
        (_broken(4, lambda d: d.update(stateIndex="2")), "outputs[0].stateIndex"),
        (_broken(4, lambda d: d.update(aliasId="0x12")), "outputs[0].aliasId"),
        (
            _broken(5, lambda d: d["tokenScheme"].update(maximumSupply=100)),
            "outputs[0].tokenScheme.maximumSupply",
        ),
        (_broken(6, lambda d: d.update(type=2)), "outputs[0].type"),
        (_broken(3, lambda d: d.update(type="3")), "outputs[0].type"),
    ],
)
def test_json_errors_name_the_field(d: dict[str, Any], path: str) -> None:
    with pytest.raises(JsonShapeError) as info:
        output_from_json(d, "outputs[0]")
    assert path in str(info.value)


def test_json_native_token_errors_name_the_field() -> None:
    big = max(FIXTURES, key=lambda o: len(o.get("nativeTokens", [])))
    d = json.loads(json.dumps(big))
    d["nativeTokens"][3]["amount"] = "12"
    with pytest.raises(JsonShapeError, match=r"nativeTokens\[3\]\.amount"):
        output_from_json(d)


def test_optional_lists_accept_null_and_missing() -> None:
    d = {"type": 3, "amount": "5", "unlockConditions": [OWNER.to_json()], "nativeTokens": None, "features": None}
    assert output_from_json(d) == BasicOutput(5, (OWNER,))
    assert BasicOutput(5, (OWNER,)).to_json() == {"type": 3, "amount": "5", "unlockConditions": [OWNER.to_json()]}


def test_storage_deposit_return_json_uses_amount_key() -> None:
    uc = StorageDepositReturnUnlockCondition(B, 42600)
    assert uc.to_json() == {"type": 1, "returnAddress": B.to_json(), "amount": "42600"}
    out = BasicOutput(50_000, (OWNER, uc))
    assert output_from_json(out.to_json()) == out


def test_replace_runs_the_same_checks() -> None:
    out = BasicOutput(1, (OWNER,))
    assert dataclasses.replace(out, amount=9).amount == 9
    with pytest.raises(OutputAmountError):
        dataclasses.replace(out, amount=0)
