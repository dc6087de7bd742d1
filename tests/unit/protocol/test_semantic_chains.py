"""Semantic validation of alias, NFT and foundry chains: creation, transitions, destruction, chain unlocks.

Every case is signed with real keys and also put to iota-sdk's ``verifyTransactionSemantic``.
"""

from __future__ import annotations

import dataclasses

import pytest
from tests.strategies.semantic import (
    Case,
    alias_ucs,
    basic,
    build_case,
    ed,
    foundry_ucs,
    sdk_verdict,
)
from tests.strategies.semantic_oracle import tip20_verdict

from tanglehub.protocol.address import AliasAddress, NftAddress
from tanglehub.protocol.ids import foundry_id, nft_id_from_output_id
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    FoundryOutput,
    IssuerFeature,
    MetadataFeature,
    NftOutput,
    SenderFeature,
)
from tanglehub.protocol.semantic import ConflictReason, verify_transaction
from tanglehub.protocol.token_scheme import SimpleTokenScheme
from tanglehub.protocol.unlock import AliasUnlock, NftUnlock

R = ConflictReason
ALIAS_ID = bytes([0xA1]) * 32
ALIAS = AliasOutput(100_000, alias_ucs(ed(0), ed(1)), ALIAS_ID, 3, b"s", 1)
TOKEN = foundry_id(ALIAS_ID, 1)
FOUNDRY = FoundryOutput(100_000, foundry_ucs(ALIAS_ID), 1, SimpleTokenScheme(100, 0, 1000))


def oid(n: int, index: int = 0) -> bytes:
    """A made-up output id."""
    return bytes([n]) * 32 + index.to_bytes(2, "little")


def check(case: Case, expected: ConflictReason) -> None:
    """Our verdict and the SDK's both equal ``expected``."""
    assert verify_transaction(case.payload, case.inputs, case.timestamp) == expected
    assert sdk_verdict(case) == expected


def state(alias: AliasOutput = ALIAS, **changes: object) -> AliasOutput:
    """The next state of ``alias`` after a state transition, with ``changes``."""
    return dataclasses.replace(alias, state_index=alias.state_index + 1, **changes)  # type: ignore[arg-type]


# -- alias --------------------------------------------------------------------------------------------


def test_alias_state_transition_signed_by_state_controller() -> None:
    check(build_case([(oid(1), ALIAS)], [state(state_metadata=b"new")]), R.NONE)


def test_alias_state_transition_signed_by_governor() -> None:
    check(build_case([(oid(1), ALIAS)], [state()], signer_override={0: 1}), R.INVALID_SIGNATURE)


def test_alias_governance_transition_changes_controllers() -> None:
    nxt = dataclasses.replace(ALIAS, unlock_conditions=alias_ucs(ed(2), ed(3)))
    case = build_case([(oid(1), ALIAS)], [nxt])
    check(case, R.NONE)
    check(build_case([(oid(1), ALIAS)], [nxt], signer_override={0: 0}), R.INVALID_SIGNATURE)


@pytest.mark.parametrize(
    "nxt",
    [
        dataclasses.replace(ALIAS, state_metadata=b"changed"),
        dataclasses.replace(ALIAS, foundry_counter=2),
        state(unlock_conditions=alias_ucs(ed(2), ed(1))),
        state(features=(MetadataFeature(b"m"),)),
        state(immutable_features=(MetadataFeature(b"m"),)),
        dataclasses.replace(ALIAS, state_index=ALIAS.state_index + 2),
        state(foundry_counter=2),
    ],
    ids=[
        "governance-changes-state",
        "governance-changes-counter",
        "state-changes-controller",
        "state-changes-metadata-feature",
        "immutable-changed",
        "index-skips",
        "counter-without-foundry",
    ],
)
def test_alias_transition_rules(nxt: AliasOutput) -> None:
    check(build_case([(oid(1), ALIAS)], [nxt]), R.INVALID_CHAIN_STATE_TRANSITION)


def test_alias_state_transition_may_change_sender() -> None:
    nxt = state(features=(SenderFeature(ed(0)),))
    check(build_case([(oid(1), ALIAS)], [nxt]), R.NONE)


def test_alias_destruction_by_governor() -> None:
    check(build_case([(oid(1), ALIAS)], [basic(100_000, ed(1))]), R.NONE)


def test_alias_creation_with_issuer() -> None:
    fresh = AliasOutput(100_000, alias_ucs(ed(2), ed(2)), immutable_features=(IssuerFeature(ed(0)),))
    check(build_case([(oid(1), basic(100_000, ed(0)))], [fresh]), R.NONE)
    stranger = dataclasses.replace(fresh, immutable_features=(IssuerFeature(ed(3)),))
    check(build_case([(oid(1), basic(100_000, ed(0)))], [stranger]), R.INVALID_CHAIN_STATE_TRANSITION)


def test_alias_created_with_an_explicit_id() -> None:
    made_up = AliasOutput(100_000, alias_ucs(ed(2), ed(2)), bytes([7]) * 32, 1)
    check(build_case([(oid(1), basic(100_000, ed(0)))], [made_up]), R.INVALID_CHAIN_STATE_TRANSITION)


def test_output_owned_by_alias_needs_a_state_transition() -> None:
    owned = basic(200_000, AliasAddress(ALIAS_ID))
    case = build_case([(oid(1), ALIAS), (oid(2), owned)], [state(), basic(200_000, ed(0))])
    assert isinstance(case.payload.unlocks[1], AliasUnlock)
    check(case, R.NONE)
    governance = dataclasses.replace(ALIAS, unlock_conditions=alias_ucs(ed(0), ed(2)))
    case = build_case([(oid(1), ALIAS), (oid(2), owned)], [governance, basic(200_000, ed(0))])
    check(case, R.INVALID_UNLOCK)


def test_sender_alias_needs_a_state_transition() -> None:
    out = basic(100_000, ed(2), features=[SenderFeature(AliasAddress(ALIAS_ID))])
    spend = basic(100_000, ed(0))
    check(build_case([(oid(1), ALIAS), (oid(2), spend)], [state(), out]), R.NONE)
    check(build_case([(oid(1), ALIAS), (oid(2), spend)], [ALIAS, out]), R.UNVERIFIED_SENDER)


# -- foundry ------------------------------------------------------------------------------------------


def test_foundry_creation_mints_into_outputs() -> None:
    fresh_alias = dataclasses.replace(ALIAS, foundry_counter=0)
    new = FoundryOutput(100_000, foundry_ucs(ALIAS_ID), 1, SimpleTokenScheme(50, 0, 100))
    minted = basic(100_000, ed(0), tokens=[NativeToken(TOKEN, 50)])
    inputs = [(oid(1), fresh_alias), (oid(2), basic(200_000, ed(0)))]
    check(build_case(inputs, [state(fresh_alias, foundry_counter=1), new, minted]), R.NONE)
    short = basic(100_000, ed(0), tokens=[NativeToken(TOKEN, 49)])
    check(
        build_case(inputs, [state(fresh_alias, foundry_counter=1), new, short]), R.INVALID_CHAIN_STATE_TRANSITION
    )
    wrong_serial = dataclasses.replace(new, serial_number=2)
    minted2 = basic(100_000, ed(0), tokens=[NativeToken(foundry_id(ALIAS_ID, 2), 50)])
    outs = [state(fresh_alias, foundry_counter=1), wrong_serial, minted2]
    check(build_case(inputs, outs), R.INVALID_CHAIN_STATE_TRANSITION)


@pytest.mark.parametrize(
    ("scheme", "tokens_out", "expected"),
    [
        (SimpleTokenScheme(130, 0, 1000), 70, R.NONE),  # mint 30
        (SimpleTokenScheme(131, 0, 1000), 70, R.INVALID_CHAIN_STATE_TRANSITION),
        (SimpleTokenScheme(100, 15, 1000), 25, R.NONE),  # melt 15, burn 0
        (SimpleTokenScheme(100, 10, 1000), 25, R.NONE),  # melt 10, burn 5
        (SimpleTokenScheme(100, 16, 1000), 25, R.INVALID_CHAIN_STATE_TRANSITION),
        (SimpleTokenScheme(100, 0, 999), 40, R.INVALID_CHAIN_STATE_TRANSITION),
        (SimpleTokenScheme(101, 1, 1000), 40, R.INVALID_CHAIN_STATE_TRANSITION),
    ],
    ids=["mint", "mint-mismatch", "melt", "melt-and-burn", "melt-too-much", "max-supply", "mint-and-melt"],
)
def test_foundry_transition(scheme: SimpleTokenScheme, tokens_out: int, expected: ConflictReason) -> None:
    holder = basic(100_000, ed(0), tokens=[NativeToken(TOKEN, 40)])
    outputs = [state(), dataclasses.replace(FOUNDRY, token_scheme=scheme)]
    outputs.append(basic(100_000, ed(0), tokens=[NativeToken(TOKEN, tokens_out)]))
    check(build_case([(oid(1), ALIAS), (oid(2), FOUNDRY), (oid(3), holder)], outputs), expected)


def test_foundry_may_not_change_its_minted_count_while_tokens_are_burnt() -> None:
    """iota.go: a negative token balance needs an unchanged minted count; iota-sdk 1.1.4 lets it grow while the
    melted count stays (here: 10 tokens burnt and 10 more "minted" out of nothing)."""
    holder = basic(100_000, ed(0), tokens=[NativeToken(TOKEN, 40)])
    outputs = [state(), dataclasses.replace(FOUNDRY, token_scheme=SimpleTokenScheme(110, 0, 1000))]
    outputs.append(basic(100_000, ed(0), tokens=[NativeToken(TOKEN, 30)]))
    case = build_case([(oid(1), ALIAS), (oid(2), FOUNDRY), (oid(3), holder)], outputs)
    assert verify_transaction(case.payload, case.inputs, case.timestamp) == R.INVALID_CHAIN_STATE_TRANSITION
    assert sdk_verdict(case) == R.NONE  # the SDK leniency we do not follow
    assert tip20_verdict(case) == R.INVALID_CHAIN_STATE_TRANSITION


def test_foundry_needs_its_alias_state_transitioned() -> None:
    outputs = [ALIAS, FOUNDRY]
    check(build_case([(oid(1), ALIAS), (oid(2), FOUNDRY)], outputs), R.INVALID_UNLOCK)


def test_foundry_destruction_needs_zero_circulating_supply() -> None:
    melted = dataclasses.replace(FOUNDRY, token_scheme=SimpleTokenScheme(100, 60, 1000))
    holder = basic(100_000, ed(0), tokens=[NativeToken(TOKEN, 40)])
    inputs = [(oid(1), ALIAS), (oid(2), melted), (oid(3), holder)]
    check(build_case(inputs, [state(), basic(200_000, ed(0))]), R.NONE)
    less = basic(100_000, ed(0), tokens=[NativeToken(TOKEN, 39)])
    inputs = [(oid(1), ALIAS), (oid(2), melted), (oid(3), less)]
    check(build_case(inputs, [state(), basic(200_000, ed(0))]), R.INVALID_CHAIN_STATE_TRANSITION)


# -- NFT ----------------------------------------------------------------------------------------------


def test_nft_mint_transfer_and_owned_output() -> None:
    nft_oid = oid(9, 1)
    minted = NftOutput(100_000, (AddressUnlockCondition(ed(0)),), immutable_features=(IssuerFeature(ed(0)),))
    check(build_case([(oid(1), basic(100_000, ed(0)))], [minted]), R.NONE)
    nft_id = nft_id_from_output_id(nft_oid)
    owned = basic(300_000, NftAddress(nft_id))
    moved = dataclasses.replace(minted, nft_id=nft_id, unlock_conditions=(AddressUnlockCondition(ed(1)),))
    case = build_case([(nft_oid, minted), (oid(2), owned)], [moved, basic(300_000, ed(1))])
    assert isinstance(case.payload.unlocks[1], NftUnlock)
    check(case, R.NONE)
    changed = dataclasses.replace(moved, immutable_features=(IssuerFeature(ed(1)),))
    check(build_case([(nft_oid, minted)], [changed]), R.INVALID_CHAIN_STATE_TRANSITION)


def test_nft_mint_with_issuer_not_unlocked() -> None:
    minted = NftOutput(100_000, (AddressUnlockCondition(ed(0)),), immutable_features=(IssuerFeature(ed(2)),))
    check(build_case([(oid(1), basic(100_000, ed(0)))], [minted]), R.INVALID_CHAIN_STATE_TRANSITION)
