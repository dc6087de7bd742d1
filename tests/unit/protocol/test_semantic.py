"""Semantic validation of Basic-output transactions: one hand-built, really signed case per conflict code.

Each case is also put to iota-sdk's ``verifyTransactionSemantic`` so the expected code is the reference
implementation's, not only ours.
"""

from __future__ import annotations

import dataclasses

import pytest
from tests.strategies.semantic import (
    T0,
    Case,
    basic,
    build_case,
    ed,
    sdk_verdict,
    tamper_signature,
)
from tests.strategies.semantic_oracle import misdirected_reference, tip20_verdict

from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    ExpirationUnlockCondition,
    SenderFeature,
    StorageDepositReturnUnlockCondition,
    TagFeature,
    TimelockUnlockCondition,
)
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.semantic import ConflictReason, verify_transaction, verify_transaction_in_ledger
from tanglehub.protocol.unlock import AliasUnlock, ReferenceUnlock

R = ConflictReason


def oid(n: int, index: int = 0) -> bytes:
    """A made-up output id: transaction id ``n`` repeated, output ``index``."""
    return bytes([n]) * 32 + index.to_bytes(2, "little")


def check(case: Case, expected: ConflictReason) -> None:
    """Our verdict and the SDK's both equal ``expected``."""
    assert verify_transaction(case.payload, case.inputs, case.timestamp) == expected
    assert sdk_verdict(case) == expected


def test_codes_are_the_protocol_numbers() -> None:
    assert [int(r) for r in R] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 255]
    assert all(r.description and r.description[0].islower() for r in R)


def test_plain_transfer_with_reference_unlock_is_valid() -> None:
    case = build_case(
        [(oid(1), basic(1_000_000, ed(0))), (oid(2), basic(500_000, ed(0)))],
        [basic(1_200_000, ed(1)), basic(300_000, ed(0))],
    )
    assert isinstance(case.payload.unlocks[1], ReferenceUnlock)
    check(case, R.NONE)


def test_amount_mismatch() -> None:
    case = build_case([(oid(1), basic(1_000_000, ed(0)))], [basic(999_999, ed(1))])
    check(case, R.CREATED_CONSUMED_AMOUNT_MISMATCH)


def test_tampered_signature() -> None:
    case = build_case([(oid(1), basic(1_000_000, ed(0)))], [basic(1_000_000, ed(1))])
    check(tamper_signature(case, 0), R.INVALID_SIGNATURE)


def test_signature_by_another_key() -> None:
    case = build_case([(oid(1), basic(1_000_000, ed(0)))], [basic(1_000_000, ed(1))], signer_override={0: 2})
    check(case, R.INVALID_SIGNATURE)


def test_signature_wins_over_amount_mismatch() -> None:
    case = build_case([(oid(1), basic(1_000_000, ed(0)))], [basic(5, ed(1))], signer_override={0: 1})
    check(case, R.INVALID_SIGNATURE)


@pytest.mark.parametrize(
    ("unlock_at", "expected"),
    [(T0 + 1, R.TIMELOCK_NOT_EXPIRED), (T0, R.NONE), (T0 - 1, R.NONE)],
)
def test_timelock(unlock_at: int, expected: ConflictReason) -> None:
    locked = basic(1_000_000, ed(0), TimelockUnlockCondition(unlock_at))
    check(build_case([(oid(1), locked)], [basic(1_000_000, ed(1))]), expected)


def test_native_tokens_created_from_nothing() -> None:
    token = NativeToken(b"\x08" + bytes(range(37)), 10)
    case = build_case([(oid(1), basic(1_000_000, ed(0)))], [basic(1_000_000, ed(1), tokens=[token])])
    check(case, R.INVALID_NATIVE_TOKENS)


def test_burning_native_tokens_is_allowed() -> None:
    token = NativeToken(b"\x08" + bytes(range(37)), 10)
    case = build_case(
        [(oid(1), basic(1_000_000, ed(0), tokens=[token]))],
        [basic(1_000_000, ed(1), tokens=[dataclasses.replace(token, amount=4)])],
    )
    check(case, R.NONE)


def test_more_than_64_distinct_native_tokens() -> None:
    tokens = [NativeToken(b"\x08" + bytes([i]) * 37, 1) for i in range(65)]
    case = build_case(
        [
            (oid(1), basic(1_000_000, ed(0), tokens=tokens[:64])),
            (oid(2), basic(1_000_000, ed(0), tokens=tokens[64:])),
        ],
        [basic(2_000_000, ed(1))],
    )
    check(case, R.INVALID_NATIVE_TOKENS)


@pytest.mark.parametrize("side", ["inputs", "outputs"])
def test_a_native_token_sum_above_uint256_is_invalid_native_tokens(side: str) -> None:
    """iota.go's ErrNativeTokenSumExceedsUint256, which Hornet reports as 7 (iota-sdk 1.1.4 raises instead)."""
    half = NativeToken(b"\x08" + bytes([7]) * 37, 1 << 255)
    if side == "inputs":
        holder = basic(1_000_000, ed(0), tokens=[half])
        consumed = [(oid(1), holder), (oid(2), holder)]
        created = [basic(2_000_000, ed(1), tokens=[half])]
    else:
        consumed = [(oid(1), basic(2_000_000, ed(0), tokens=[half]))]
        created = [basic(1_000_000, ed(1), tokens=[half]), basic(1_000_000, ed(1), tokens=[half])]
    case = build_case(consumed, created)
    assert verify_transaction(case.payload, case.inputs, case.timestamp) == R.INVALID_NATIVE_TOKENS
    # an earlier rule still wins, in Hornet's order (the base token balance comes first)
    short = dataclasses.replace(created[0], amount=created[0].amount - 1)
    unbalanced = build_case(consumed, [short, *created[1:]])
    assert verify_transaction(unbalanced.payload, unbalanced.inputs, unbalanced.timestamp) == (
        R.CREATED_CONSUMED_AMOUNT_MISMATCH
    )


def test_storage_deposit_return_paid() -> None:
    sdr = basic(1_000_000, ed(0), StorageDepositReturnUnlockCondition(ed(2), 50_000))
    case = build_case([(oid(1), sdr)], [basic(950_000, ed(0)), basic(50_000, ed(2))])
    check(case, R.NONE)


@pytest.mark.parametrize(
    "return_output",
    [
        basic(49_999, ed(2)),
        basic(50_000, ed(2), features=[TagFeature(b"not simple")]),
        basic(50_000, ed(3)),
    ],
    ids=["short", "not-a-simple-deposit", "wrong-address"],
)
def test_storage_deposit_return_unfulfilled(return_output: object) -> None:
    sdr = basic(1_000_000, ed(0), StorageDepositReturnUnlockCondition(ed(2), 50_000))
    rest = 1_000_000 - return_output.amount  # type: ignore[attr-defined]
    case = build_case([(oid(1), sdr)], [basic(rest, ed(0)), return_output])  # type: ignore[list-item]
    check(case, R.STORAGE_DEPOSIT_RETURN_UNFULFILLED)


def test_storage_deposit_return_is_checked_before_amounts() -> None:
    sdr = basic(1_000_000, ed(0), StorageDepositReturnUnlockCondition(ed(2), 50_000))
    check(build_case([(oid(1), sdr)], [basic(7, ed(0))]), R.STORAGE_DEPOSIT_RETURN_UNFULFILLED)


def test_expiration_before_expiry_owner_unlocks() -> None:
    out = basic(
        1_000_000,
        ed(0),
        StorageDepositReturnUnlockCondition(ed(1), 60_000),
        ExpirationUnlockCondition(ed(1), T0 + 100),
    )
    check(build_case([(oid(1), out)], [basic(940_000, ed(0)), basic(60_000, ed(1))]), R.NONE)
    # The return address may not take it yet.
    case = build_case([(oid(1), out)], [basic(1_000_000, ed(1))], signer_override={0: 1})
    check(case, R.INVALID_SIGNATURE)


def test_expired_output_belongs_to_the_return_address() -> None:
    out = basic(
        1_000_000,
        ed(0),
        StorageDepositReturnUnlockCondition(ed(1), 60_000),
        ExpirationUnlockCondition(ed(1), T0),
    )
    # No storage deposit return is owed once expired; the return address owns all of it.
    check(build_case([(oid(1), out)], [basic(1_000_000, ed(1))]), R.NONE)
    case = build_case([(oid(1), out)], [basic(1_000_000, ed(1))], signer_override={0: 0})
    check(case, R.INVALID_SIGNATURE)


def test_reference_to_an_address_not_yet_unlocked() -> None:
    good = build_case(
        [(oid(1), basic(1_000_000, ed(0))), (oid(2), basic(1_000_000, ed(1)))], [basic(2_000_000, ed(2))]
    )
    unlocks = (good.payload.unlocks[0], ReferenceUnlock(0))
    case = dataclasses.replace(good, payload=TransactionPayload(good.payload.essence, unlocks))
    check(case, R.INVALID_UNLOCK)


def test_reference_must_point_at_the_signature_of_the_inputs_own_address() -> None:
    """TIP-20: inputs owned by A, B, A unlocked as [sig A, sig B, ref -> 1] are invalid (iota.go refuses the
    reference; iota-sdk 1.1.4 accepts it because A is unlocked somewhere). ref -> 0 is the valid form."""
    good = build_case(
        [(oid(1), basic(1_000_000, ed(0))), (oid(2), basic(1_000_000, ed(1))), (oid(3), basic(1_000_000, ed(0)))],
        [basic(3_000_000, ed(2))],
    )
    assert good.payload.unlocks[2] == ReferenceUnlock(0)
    check(good, R.NONE)
    unlocks = (*good.payload.unlocks[:2], ReferenceUnlock(1))
    case = dataclasses.replace(good, payload=TransactionPayload(good.payload.essence, unlocks))
    assert verify_transaction(case.payload, case.inputs, case.timestamp) == R.INVALID_UNLOCK
    assert sdk_verdict(case) == R.NONE  # the SDK leniency we do not follow
    assert misdirected_reference(case) == 2
    assert tip20_verdict(case) == R.INVALID_UNLOCK


def test_an_earlier_failure_still_wins_over_a_misdirected_reference() -> None:
    good = build_case(
        [(oid(1), basic(1_000_000, ed(0))), (oid(2), basic(1_000_000, ed(1))), (oid(3), basic(1_000_000, ed(0)))],
        [basic(3_000_000, ed(2))],
    )
    case = tamper_signature(good, 1)  # input 1's own signature is bad
    unlocks = (*case.payload.unlocks[:2], ReferenceUnlock(1))
    case = dataclasses.replace(case, payload=TransactionPayload(case.payload.essence, unlocks))
    assert verify_transaction(case.payload, case.inputs, case.timestamp) == R.INVALID_SIGNATURE
    assert tip20_verdict(case) == R.INVALID_SIGNATURE


def test_alias_unlock_for_an_ed25519_owner() -> None:
    good = build_case(
        [(oid(1), basic(1_000_000, ed(0))), (oid(2), basic(1_000_000, ed(1)))], [basic(2_000_000, ed(2))]
    )
    unlocks = (good.payload.unlocks[0], AliasUnlock(0))
    case = dataclasses.replace(good, payload=TransactionPayload(good.payload.essence, unlocks))
    check(case, R.INVALID_UNLOCK)


def test_inputs_commitment_mismatch_comes_first() -> None:
    case = build_case(
        [(oid(1), basic(1_000_000, ed(0)))], [basic(1, ed(1))], commitment=bytes(32), signer_override={0: 3}
    )
    check(case, R.INPUTS_COMMITMENT_INVALID)


@pytest.mark.parametrize(("sender", "expected"), [(0, R.NONE), (1, R.UNVERIFIED_SENDER)])
def test_sender_feature(sender: int, expected: ConflictReason) -> None:
    case = build_case(
        [(oid(1), basic(1_000_000, ed(0)))], [basic(1_000_000, ed(1), features=[SenderFeature(ed(sender))])]
    )
    check(case, expected)


def test_ledger_resolution_codes() -> None:
    first = basic(1_000_000, ed(0))
    case = build_case([(oid(1), first), (oid(2), basic(1, ed(0)))], [basic(1_000_001, ed(1))])
    ledger = {oid(1): first, oid(2): case.inputs[1]}
    payload, t = case.payload, case.timestamp
    assert verify_transaction_in_ledger(payload, ledger.get, t) == R.NONE
    assert verify_transaction_in_ledger(payload, {oid(1): first}.get, t) == R.INPUT_UTXO_NOT_FOUND

    def spent(output_id: bytes) -> ConflictReason:
        return R.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE if output_id == oid(2) else R.NONE

    assert (
        verify_transaction_in_ledger(payload, ledger.get, t, spent) == R.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE
    )


def test_wrong_number_of_consumed_outputs() -> None:
    case = build_case([(oid(1), basic(1_000_000, ed(0)))], [basic(1_000_000, ed(1))])
    assert verify_transaction(case.payload, [], T0) == R.INPUTS_COMMITMENT_INVALID
