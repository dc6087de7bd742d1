"""Input selection finds a valid set whenever one exists (issue 7, section 4).

Every output limit is respected (64 native tokens per output, 128 inputs, 128 outputs, storage deposits of
remainders); a brute-force search over small random holdings is the oracle, and every transaction the
selection builds is signed with real keys and passes the protocol's syntactic and semantic validation.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies.semantic import build_case, ed

from tanglehub.errors import WalletError
from tanglehub.protocol.native_token import MAX_NATIVE_TOKENS, NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    Output,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.payload import MAX_INPUTS, MAX_OUTPUTS
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.protocol.semantic import ConflictReason, verify_transaction
from tanglehub.protocol.syntax import validate_transaction
from tanglehub.wallet.operations.transaction import (
    Candidate,
    Selection,
    TooManyInputsError,
    select_inputs,
    usable_candidates,
)
from tanglehub.wallet.operations.transaction.errors import InputSelectionError
from tanglehub.wallet.storage_schema import OutputRecord

RENT = DEVNET.rent_structure
MIN = min_deposit_basic(RENT)
SMR = 1_000_000
ME = ed(0)
OTHER = ed(1)
CHANGE = ed(2)
NOW = 1_700_000_000


def token(i: int) -> bytes:
    return b"\x08" + i.to_bytes(2, "big") * 18 + b"\x00"


def tokens(kinds: Sequence[int], amount: int = 1) -> tuple[NativeToken, ...]:
    return tuple(NativeToken(token(i), amount) for i in sorted(kinds))


def oid(n: int) -> bytes:
    return n.to_bytes(32, "big") + b"\x00\x00"


def cand(n: int, amount: int, natives: tuple[NativeToken, ...] = ()) -> Candidate:
    return Candidate(oid(n), BasicOutput(amount, (AddressUnlockCondition(ME),), natives), ME.pub_key_hash)


def pay(amount: int, natives: tuple[NativeToken, ...] = ()) -> BasicOutput:
    return BasicOutput(amount, (AddressUnlockCondition(OTHER),), natives)


def check_transaction(sel: Selection, outputs: Sequence[Output], now: int = NOW) -> None:
    """Sign the selection's transaction with real keys; it must pass syntactic and semantic validation."""
    case = build_case([(c.output_id, c.output) for c in sel.inputs], [*outputs, *sel.extra_outputs], now)
    validate_transaction(case.payload, DEVNET)
    assert verify_transaction(case.payload, case.inputs, now) is ConflictReason.NONE


def test_airdropped_token_kinds_do_not_block_a_payment() -> None:
    # A = 100 SMR + 40 kinds, B = 90 SMR + 40 other kinds, C = 80 SMR plain; send 150 SMR: A + C.
    a = cand(1, 100 * SMR, tokens(range(40)))
    b = cand(2, 90 * SMR, tokens(range(40, 80)))
    c = cand(3, 80 * SMR)
    outputs = [pay(150 * SMR)]
    sel = select_inputs([a, b, c], outputs, RENT, remainder_address=CHANGE)
    assert {x.output_id for x in sel.inputs} == {a.output_id, c.output_id}
    assert len(sel.remainders) == 1
    assert sel.remainders[0].native_tokens == a.output.native_tokens
    check_transaction(sel, outputs)


def test_more_than_64_token_kinds_in_one_transaction_is_refused_with_the_reason() -> None:
    # Only A and B could pay, but together they carry 80 kinds: no transaction may hold more than 64.
    a = cand(1, 100 * SMR, tokens(range(40)))
    b = cand(2, 90 * SMR, tokens(range(40, 80)))
    with pytest.raises(InputSelectionError, match="more than 64 kinds of native tokens") as info:
        select_inputs([a, b], [pay(150 * SMR)], RENT, remainder_address=CHANGE)
    assert isinstance(info.value, WalletError)


def test_128_recipients_fit_when_no_remainder_is_needed() -> None:
    outputs = [pay(MIN) for _ in range(MAX_OUTPUTS)]
    sel = select_inputs([cand(1, MAX_OUTPUTS * MIN)], outputs, RENT, remainder_address=CHANGE)
    assert sel.remainders == ()
    check_transaction(sel, outputs)


def test_128_recipients_and_a_remainder_do_not_fit_and_the_error_says_so() -> None:
    outputs = [pay(MIN) for _ in range(MAX_OUTPUTS)]
    with pytest.raises(InputSelectionError, match="at most 128") as info:
        select_inputs([cand(1, (MAX_OUTPUTS + 5) * MIN)], outputs, RENT, remainder_address=CHANGE)
    assert isinstance(info.value, WalletError)


def test_the_exhaustive_search_finds_what_both_greedy_passes_miss() -> None:
    # Largest first takes A + B (84 kinds); fewest kinds first takes C + B (64 kinds, but nothing left for the
    # remainder that must hold them). Only A + C is valid.
    a = cand(1, 50 * SMR, tokens(range(40)))
    b = cand(2, 45 * SMR, tokens(range(40, 84)))
    c = cand(3, 40 * SMR, tokens(range(84, 104)))
    outputs = [pay(85 * SMR)]
    sel = select_inputs([a, b, c], outputs, RENT, remainder_address=CHANGE)
    assert {x.output_id for x in sel.inputs} == {a.output_id, c.output_id}
    check_transaction(sel, outputs)


def test_storage_deposit_return_is_paid_back_by_the_selection() -> None:
    sdr = StorageDepositReturnUnlockCondition(OTHER, MIN)
    rec = OutputRecord(
        oid(1), 0, ME.pub_key_hash, BasicOutput(5 * MIN, (AddressUnlockCondition(ME), sdr)), None, 1, 0
    )
    usable, _ = usable_candidates([rec], own_hashes={ME.pub_key_hash}, reserved=set(), now=NOW)
    outputs = [pay(2 * MIN)]
    sel = select_inputs(usable, outputs, RENT, remainder_address=CHANGE)
    assert sel.returns == (BasicOutput(MIN, (AddressUnlockCondition(OTHER),)),)
    assert sel.remainders[0].amount == 2 * MIN
    check_transaction(sel, outputs)


def test_too_many_inputs_is_a_wallet_error() -> None:
    with pytest.raises(TooManyInputsError):
        select_inputs(
            [cand(i, MIN) for i in range(200)], [pay(MAX_INPUTS * MIN + 1)], RENT, remainder_address=CHANGE
        )


# -- the property: whenever a valid input set exists, selection finds one --------------------------------


def _valid(subset: Sequence[Candidate], outputs: Sequence[Output]) -> bool:
    """Brute-force oracle: can a transaction consuming exactly ``subset`` pay ``outputs`` within the limits?"""
    if not subset or len(subset) > MAX_INPUTS:
        return False
    have = sum(c.amount for c in subset)
    held: dict[bytes, int] = {}
    for c in subset:
        for t in c.output.native_tokens:
            held[t.token_id] = held.get(t.token_id, 0) + t.amount
    for o in outputs:
        for t in o.native_tokens:
            held[t.token_id] = held.get(t.token_id, 0) - t.amount
    if any(n < 0 for n in held.values()) or len(held) > MAX_NATIVE_TOKENS:
        return False  # not enough of a token sent, or more than 64 kinds over inputs and outputs
    owed: dict[bytes, int] = {}
    for c in subset:
        if c.owed is not None:
            owed[c.owed[0].to_bytes()] = owed.get(c.owed[0].to_bytes(), 0) + c.owed[1]
    left = have - sum(o.amount for o in outputs) - sum(owed.values())
    kinds = sorted(t for t, n in held.items() if n > 0)
    if left < 0:
        return False
    if left == 0 and not kinds:
        return len(outputs) + len(owed) <= MAX_OUTPUTS
    need = storage_deposit(BasicOutput(1, (AddressUnlockCondition(CHANGE),), tokens_of(kinds)), RENT)
    return left >= need and len(outputs) + len(owed) + 1 <= MAX_OUTPUTS


def tokens_of(ids: Sequence[bytes]) -> tuple[NativeToken, ...]:
    return tuple(NativeToken(t, 1) for t in ids)


@st.composite
def holdings(draw: st.DrawFn) -> list[OutputRecord]:
    records = []
    for n in range(draw(st.integers(1, 7))):
        k = draw(st.sampled_from([0, 0, 1, 3, 30, 40, 64]))
        kinds = draw(st.lists(st.integers(0, 99), min_size=k, max_size=k, unique=True))
        natives = tokens(kinds, draw(st.integers(1, 50)))
        ucs: list[object] = [AddressUnlockCondition(ME)]
        cond = draw(st.sampled_from(["plain", "plain", "timelock", "expiration", "sdruc", "micro", "back"]))
        if cond == "timelock":
            ucs.append(TimelockUnlockCondition(NOW + draw(st.sampled_from([-60, 60]))))
        elif cond in ("sdruc", "micro"):
            ucs.append(StorageDepositReturnUnlockCondition(OTHER, MIN))
        if cond in ("expiration", "micro"):
            ucs.append(ExpirationUnlockCondition(OTHER, NOW + draw(st.sampled_from([-300, 300]))))
        if cond == "back":  # somebody else's output that expired back to us
            ucs = [AddressUnlockCondition(OTHER), ExpirationUnlockCondition(ME, NOW - 1)]
        probe = BasicOutput(1, tuple(ucs), natives)  # type: ignore[arg-type]
        amount = storage_deposit(probe, RENT) + draw(st.integers(0, 8)) * MIN // 2
        if cond in ("sdruc", "micro"):
            amount = max(amount, MIN + draw(st.integers(0, 3)) * MIN)
        output = BasicOutput(amount, tuple(ucs), natives)  # type: ignore[arg-type]
        records.append(OutputRecord(oid(n + 1), 0, ME.pub_key_hash, output, None, 1, NOW - 10))
    return records


@st.composite
def payments(draw: st.DrawFn, records: list[OutputRecord]) -> list[BasicOutput]:
    held: dict[bytes, int] = {}
    for r in records:
        for t in r.output.native_tokens:
            held[t.token_id] = held.get(t.token_id, 0) + t.amount
    outputs = []
    for _ in range(draw(st.integers(1, 3))):
        send = {}
        if held and draw(st.booleans()):
            for tid in draw(st.lists(st.sampled_from(sorted(held)), max_size=3, unique=True)):
                send[tid] = draw(st.integers(1, held[tid] + 5))
        natives = tuple(NativeToken(t, n) for t, n in sorted(send.items()))
        base = storage_deposit(BasicOutput(1, (AddressUnlockCondition(OTHER),), natives), RENT)
        outputs.append(pay(base + draw(st.integers(0, 24)) * MIN // 2, natives))
    return outputs


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_selection_finds_a_valid_set_whenever_brute_force_does(data: st.DataObject) -> None:
    records = data.draw(holdings())
    outputs = data.draw(payments(records))
    usable, _ = usable_candidates(records, own_hashes={ME.pub_key_hash}, reserved=set(), now=NOW)
    exists = any(
        _valid(subset, outputs)
        for size in range(1, len(usable) + 1)
        for subset in itertools.combinations(usable, size)
    )
    if not exists:
        with pytest.raises(WalletError):
            select_inputs(usable, outputs, RENT, remainder_address=CHANGE)
        return
    sel = select_inputs(usable, outputs, RENT, remainder_address=CHANGE)
    assert _valid(sel.inputs, outputs)
    assert len(sel.inputs) == len({c.output_id for c in sel.inputs})
    assert len(sel.remainders) <= 1
    assert len(sel.extra_outputs) + len(outputs) <= MAX_OUTPUTS
    check_transaction(sel, outputs)
