"""One definition of "spendable now": the balance, input selection, claiming and the potentially-locked list
all follow :func:`tanglehub.protocol.spendable.spendability`, so they cannot disagree (issue 7, section 2)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.rent import min_deposit_basic
from tanglehub.protocol.spendable import SpendState, spendability
from tanglehub.wallet.operations.balance import compute_balance
from tanglehub.wallet.operations.transaction import EXPIRATION_MARGIN, usable_candidates
from tanglehub.wallet.storage_schema import OutputRecord

ME = Ed25519Address(b"\x01" * 32)
OTHER = Ed25519Address(b"\x02" * 32)
MIN = min_deposit_basic(DEVNET.rent_structure)
NOW = 1_700_000_000
OID = b"\x09" * 34


@st.composite
def conditional_outputs(draw: st.DrawFn) -> BasicOutput:
    who = st.sampled_from([ME, OTHER])
    when = st.sampled_from([NOW - 600, NOW - 1, NOW, NOW + 1, NOW + EXPIRATION_MARGIN, NOW + 600])
    ucs: list[object] = [AddressUnlockCondition(draw(who))]
    if draw(st.booleans()):
        ucs.append(StorageDepositReturnUnlockCondition(draw(who), MIN))
    if draw(st.booleans()):
        ucs.append(TimelockUnlockCondition(draw(when)))
    if draw(st.booleans()):
        ucs.append(ExpirationUnlockCondition(draw(who), draw(when)))
    return BasicOutput(3 * MIN, tuple(ucs))  # type: ignore[arg-type]


@settings(max_examples=500, deadline=None)
@given(output=conditional_outputs())
def test_balance_selection_and_claiming_agree(output: BasicOutput) -> None:
    ours = {ME.pub_key_hash}
    status = spendability(output, ours, NOW)
    rec = OutputRecord(OID, 0, ME.pub_key_hash, output, None, 1, NOW - 10)
    balance = compute_balance([rec], ours, set(), DEVNET.rent_structure, NOW)
    usable, _ = usable_candidates([rec], own_hashes=ours, reserved=set(), now=NOW)
    claimable, _ = usable_candidates([rec], own_hashes=ours, reserved=set(), now=NOW, claiming=True)
    locked = {e.output_id: e.unlockable_now for e in balance.potentially_locked_outputs}
    # Counted in the balance <=> input selection may spend it, for exactly the value the balance counts.
    assert (balance.base_coin.total > 0) == bool(usable) == (status.state is SpendState.SPENDABLE)
    if usable:
        assert balance.base_coin.total == balance.base_coin.available == status.value
        owed = usable[0].owed
        if owed is not None:  # the selection pays the return back; what is left is the counted value
            assert status.value == output.amount - (owed[1] if owed[0] != ME else 0)
    # Potentially locked and claimable now <=> claiming may take it (unless it expires too soon to be safe).
    if locked.get(OID):
        soon = (status.changes_at or 0) <= NOW + EXPIRATION_MARGIN
        assert bool(claimable) != soon
    elif not usable:
        assert claimable == []
    # Listed as potentially locked <=> neither counted nor gone for good.
    assert (OID in locked) == (status.state in (SpendState.CLAIMABLE, SpendState.LOCKED))
