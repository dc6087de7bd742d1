"""Input selection without a node: exact amounts, remainders and their deposit, native tokens, the
128-input limit, reserved and locked outputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tanglehub.protocol.address import AliasAddress, Ed25519Address
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.wallet.operations.transaction import (
    EXPIRATION_MARGIN,
    Candidate,
    InsufficientFundsError,
    InsufficientNativeTokensError,
    TooManyInputsError,
    select_inputs,
    usable_candidates,
)
from tanglehub.wallet.storage_schema import OutputRecord

RENT = DEVNET.rent_structure
MIN = min_deposit_basic(RENT)
ME = Ed25519Address(b"\x01" * 32)
OTHER = Ed25519Address(b"\x02" * 32)
CHANGE = Ed25519Address(b"\x03" * 32)
TOKEN_A = b"\x08" + b"\xaa" * 37
TOKEN_B = b"\x08" + b"\xbb" * 37
NOW = 1_700_000_000


def oid(n: int) -> bytes:
    return n.to_bytes(32, "big") + b"\x00\x00"


def plain(amount: int, to: Ed25519Address = ME, tokens: tuple[NativeToken, ...] = ()) -> BasicOutput:
    return BasicOutput(amount, (AddressUnlockCondition(to),), tokens)


def cand(n: int, amount: int, tokens: tuple[NativeToken, ...] = ()) -> Candidate:
    return Candidate(oid(n), plain(amount, tokens=tokens), ME.pub_key_hash)


def record(n: int, output: BasicOutput, spent: bool = False) -> OutputRecord:
    return OutputRecord(oid(n), 0, ME.pub_key_hash, output, None, 1, NOW - 10, spent=spent)


def test_exact_amount_needs_no_remainder() -> None:
    sel = select_inputs(
        [cand(1, 2 * MIN), cand(2, 5 * MIN)], [plain(5 * MIN, OTHER)], RENT, remainder_address=CHANGE
    )
    assert [c.output_id for c in sel.inputs] == [oid(2)]
    assert sel.remainder is None


def test_larger_outputs_first_and_remainder_to_the_change_address() -> None:
    sel = select_inputs(
        [cand(1, 2 * MIN), cand(2, 9 * MIN), cand(3, 4 * MIN)],
        [plain(3 * MIN, OTHER)],
        RENT,
        remainder_address=CHANGE,
    )
    assert [c.output_id for c in sel.inputs] == [oid(2)]
    assert sel.remainder == plain(6 * MIN, CHANGE)


def test_remainder_below_its_deposit_pulls_in_another_input() -> None:
    # 100k - 80k leaves 20k, below the 42.6k deposit of a remainder: the 50k output is added too.
    sel = select_inputs(
        [cand(1, 100_000), cand(2, 50_000)], [plain(80_000, OTHER)], RENT, remainder_address=CHANGE
    )
    assert [c.output_id for c in sel.inputs] == [oid(1), oid(2)]
    assert sel.remainder is not None
    assert sel.remainder.amount == 70_000


def test_remainder_below_its_deposit_with_nothing_left_says_how_much_is_missing() -> None:
    with pytest.raises(InsufficientFundsError) as info:
        select_inputs([cand(1, 100_000)], [plain(80_000, OTHER)], RENT, remainder_address=CHANGE)
    err = info.value
    assert (err.required, err.available, err.missing) == (80_000 + MIN, 100_000, 80_000 + MIN - 100_000)
    assert err.code == "WALLET_INSUFFICIENT_FUNDS"
    assert f"{err.missing} more is needed" in str(err)


def test_insufficient_funds_reports_required_and_available() -> None:
    with pytest.raises(InsufficientFundsError) as info:
        select_inputs([cand(1, MIN), cand(2, MIN)], [plain(3 * MIN, OTHER)], RENT, remainder_address=CHANGE)
    assert (info.value.required, info.value.available, info.value.missing) == (3 * MIN, 2 * MIN, MIN)


def test_native_tokens_of_consumed_inputs_go_to_the_remainder() -> None:
    tokens = (NativeToken(TOKEN_A, 7),)
    sel = select_inputs([cand(1, 10 * MIN, tokens)], [plain(2 * MIN, OTHER)], RENT, remainder_address=CHANGE)
    assert sel.remainder == plain(8 * MIN, CHANGE, tokens)


def test_remainder_with_tokens_needs_a_larger_deposit() -> None:
    # Exactly the amount, but the input carries a token: a remainder must exist and cover its deposit.
    tokens = (NativeToken(TOKEN_A, 7),)
    with_tokens = cand(1, 2 * MIN, tokens)
    sel = select_inputs(
        [cand(2, 3 * MIN)], [plain(2 * MIN, OTHER)], RENT, remainder_address=CHANGE, mandatory=[with_tokens]
    )
    assert [c.output_id for c in sel.inputs] == [oid(1), oid(2)]
    assert sel.remainder is not None
    assert sel.remainder.native_tokens == tokens
    assert sel.remainder.amount >= storage_deposit(sel.remainder, RENT) > MIN


def test_tokens_the_outputs_send_are_picked_and_the_rest_kept() -> None:
    a_holder = cand(1, MIN, (NativeToken(TOKEN_A, 10), NativeToken(TOKEN_B, 3)))
    sel = select_inputs(
        [cand(2, 20 * MIN), a_holder],
        [plain(MIN, OTHER, (NativeToken(TOKEN_A, 4),))],
        RENT,
        remainder_address=CHANGE,
    )
    assert {c.output_id for c in sel.inputs} == {oid(1), oid(2)}
    assert sel.remainder is not None
    assert sel.remainder.native_tokens == (NativeToken(TOKEN_A, 6), NativeToken(TOKEN_B, 3))


def test_missing_native_tokens_are_reported() -> None:
    with pytest.raises(InsufficientNativeTokensError) as info:
        select_inputs(
            [cand(1, 9 * MIN, (NativeToken(TOKEN_A, 2),))],
            [plain(MIN, OTHER, (NativeToken(TOKEN_A, 5),))],
            RENT,
            remainder_address=CHANGE,
        )
    assert (info.value.required, info.value.available, info.value.missing) == (5, 2, 3)


def test_at_most_128_inputs_and_a_hint_to_consolidate() -> None:
    many = [cand(i, MIN) for i in range(200)]
    sel = select_inputs(many, [plain(128 * MIN, OTHER)], RENT, remainder_address=CHANGE)
    assert len(sel.inputs) == 128
    assert sel.remainder is None
    with pytest.raises(TooManyInputsError, match="consolidate"):
        select_inputs(many, [plain(129 * MIN, OTHER)], RENT, remainder_address=CHANGE)


def test_custom_inputs_are_used_exactly_and_reuse_address_takes_the_first_input() -> None:
    sel = select_inputs(
        [cand(1, 50 * MIN)], [], RENT, remainder_address=None, mandatory=[cand(2, MIN), cand(3, MIN)], exact=True
    )
    assert [c.output_id for c in sel.inputs] == [oid(2), oid(3)]
    assert sel.remainder == plain(2 * MIN, ME)


def test_mandatory_inputs_come_first_and_more_are_added() -> None:
    sel = select_inputs(
        [cand(1, 50 * MIN)], [plain(10 * MIN, OTHER)], RENT, remainder_address=CHANGE, mandatory=[cand(2, MIN)]
    )
    assert [c.output_id for c in sel.inputs] == [oid(2), oid(1)]


def test_reserved_and_spent_outputs_are_never_candidates() -> None:
    records = [record(1, plain(MIN)), record(2, plain(MIN)), record(3, plain(MIN), spent=True)]
    usable, refused = usable_candidates(records, own_hashes={ME.pub_key_hash}, reserved={oid(2)}, now=NOW)
    assert [c.output_id for c in usable] == [oid(1)]
    assert "reserved" in refused[oid(2)]
    assert "spent" in refused[oid(3)]


def test_locked_outputs_are_excluded_unless_claiming() -> None:
    sdr = StorageDepositReturnUnlockCondition(OTHER, MIN)
    records = [
        record(1, BasicOutput(MIN, (AddressUnlockCondition(ME), TimelockUnlockCondition(NOW + 60)))),
        record(2, BasicOutput(2 * MIN, (AddressUnlockCondition(ME), sdr))),
        record(
            3,
            BasicOutput(2 * MIN, (AddressUnlockCondition(ME), sdr, ExpirationUnlockCondition(OTHER, NOW + 9999))),
        ),
        # Expired: it now belongs to the sender (OTHER).
        record(4, BasicOutput(MIN, (AddressUnlockCondition(ME), ExpirationUnlockCondition(OTHER, NOW - 1)))),
        # Expires too soon to spend safely, even when claiming.
        record(
            5,
            BasicOutput(
                MIN, (AddressUnlockCondition(ME), ExpirationUnlockCondition(OTHER, NOW + EXPIRATION_MARGIN))
            ),
        ),
        # Expired back to us: ours, spendable like a plain output.
        record(6, BasicOutput(MIN, (AddressUnlockCondition(OTHER), sdr, ExpirationUnlockCondition(ME, NOW)))),
        record(7, BasicOutput(MIN, (AddressUnlockCondition(AliasAddress(b"\x05" * 32)),))),
        record(8, BasicOutput(MIN, (AddressUnlockCondition(ME), TimelockUnlockCondition(NOW)))),
    ]
    own = {ME.pub_key_hash}
    usable, refused = usable_candidates(records, own_hashes=own, reserved=set(), now=NOW)
    # A storage deposit return without expiration is spendable: selection pays the return back.
    assert sorted(c.output_id for c in usable) == [oid(2), oid(6), oid(8)]
    assert {c.output_id: c.owed for c in usable}[oid(2)] == (OTHER, MIN)
    assert "timelocked" in refused[oid(1)]
    assert "claim" in refused[oid(3)]
    assert "outside this account" in refused[oid(4)]
    assert "too soon" in refused[oid(5)]
    claimable, _ = usable_candidates(records, own_hashes=own, reserved=set(), now=NOW, claiming=True)
    assert sorted(c.output_id for c in claimable) == [oid(2), oid(3), oid(6), oid(8)]


@settings(max_examples=300, deadline=None)
@given(
    amounts=st.lists(st.integers(1, 40).map(lambda k: k * MIN // 4), min_size=1, max_size=40),
    send=st.integers(MIN, 300 * MIN),
)
def test_selection_balances_and_is_deterministic(amounts: list[int], send: int) -> None:
    candidates = [cand(i, a) for i, a in enumerate(amounts)]
    outputs = [plain(send, OTHER)]
    if sum(amounts) < send:
        with pytest.raises(InsufficientFundsError) as info:
            select_inputs(candidates, outputs, RENT, remainder_address=CHANGE)
        assert (info.value.available, info.value.required) == (sum(amounts), send)
        return
    try:
        sel = select_inputs(candidates, outputs, RENT, remainder_address=CHANGE)
    except InsufficientFundsError as exc:  # only when the remainder's deposit cannot be covered
        failure = exc
    else:
        failure = None
    if failure is not None:
        assert failure.required == send + MIN
        assert failure.available == sum(amounts) < send + MIN
        return
    assert sel == select_inputs(list(reversed(candidates)), outputs, RENT, remainder_address=CHANGE)
    assert len({c.output_id for c in sel.inputs}) == len(sel.inputs) <= 128
    rem = sel.remainder.amount if sel.remainder is not None else 0
    assert sel.input_amount == send + rem
    if sel.remainder is not None:
        assert sel.remainder.amount >= storage_deposit(sel.remainder, RENT)
    # Largest first: no unpicked candidate is larger than a picked one.
    picked = {c.output_id for c in sel.inputs}
    smallest_picked = min(c.amount for c in sel.inputs)
    assert all(c.amount <= smallest_picked for c in candidates if c.output_id not in picked)
