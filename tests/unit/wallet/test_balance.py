"""compute_balance: the pure balance rules (no node, no store)."""

from __future__ import annotations

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    BasicOutput,
    ExpirationUnlockCondition,
    GovernorAddressUnlockCondition,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.wallet.operations.balance import compute_balance
from tanglehub.wallet.storage_schema import OutputRecord

ME = b"\x01" * 32
OTHER = b"\x02" * 32
RENT = DEVNET.rent_structure
NOW = 1_700_000_000


def _rec(n: int, output) -> OutputRecord:
    return OutputRecord(bytes([n]) * 32 + b"\x00\x00", 0, ME, output, None, 1, NOW - 10)


def _basic(amount: int, *extra, tokens=()) -> BasicOutput:
    return BasicOutput(
        amount=amount,
        unlock_conditions=(AddressUnlockCondition(Ed25519Address(ME)), *extra),
        native_tokens=tuple(tokens),
    )


def test_plain_outputs_and_reservations() -> None:
    records = [_rec(1, _basic(1_000_000)), _rec(2, _basic(2_000_000))]
    b = compute_balance(records, {ME}, {records[0].output_id}, RENT, NOW)
    assert (b.base_coin.total, b.base_coin.available) == (3_000_000, 2_000_000)
    assert b.potentially_locked_outputs == ()
    assert b.milestone_timestamp == NOW


def test_native_tokens_bind_their_deposit() -> None:
    token = NativeToken(b"\x08" + b"\x03" * 37, 500)
    out = _basic(1_000_000, tokens=[token])
    b = compute_balance([_rec(1, out)], {ME}, set(), RENT, NOW)
    deposit = storage_deposit(out, RENT)
    assert b.required_storage_deposit.basic == deposit
    assert b.base_coin.available == 1_000_000 - deposit
    [nt] = b.native_tokens
    assert (nt.token_id, nt.total, nt.available) == (token.token_id, 500, 500)


def test_timelock_expiration_and_return() -> None:
    minimum = min_deposit_basic(RENT)
    locked = _rec(1, _basic(5_000_000, TimelockUnlockCondition(NOW + 60)))
    owned_until = _rec(
        2,
        _basic(
            3_000_000,
            StorageDepositReturnUnlockCondition(Ed25519Address(OTHER), minimum),
            ExpirationUnlockCondition(Ed25519Address(OTHER), NOW + 100),
        ),
    )
    b = compute_balance([locked, owned_until], {ME}, set(), RENT, NOW)
    # Neither counts: one is timelocked, the other can still go back to its sender (issue 7, section 2).
    assert (b.base_coin.total, b.base_coin.available) == (0, 0)
    by_id = {e.output_id: e for e in b.potentially_locked_outputs}
    assert (by_id[locked.output_id].unlockable_now, by_id[locked.output_id].changes_at) == (False, NOW + 60)
    assert by_id[owned_until.output_id].unlockable_now
    assert by_id[owned_until.output_id].changes_at == NOW + 100
    later = compute_balance([locked, owned_until], {ME}, set(), RENT, NOW + 100)
    assert later.base_coin.total == 5_000_000
    assert compute_balance([locked], {ME}, set(), RENT, NOW + 60).base_coin.total == 5_000_000


def test_expired_output_belongs_to_the_return_address() -> None:
    out = BasicOutput(
        amount=1_000_000,
        unlock_conditions=(
            AddressUnlockCondition(Ed25519Address(OTHER)),
            ExpirationUnlockCondition(Ed25519Address(ME), NOW - 1),
        ),
    )
    assert compute_balance([_rec(1, out)], {ME}, set(), RENT, NOW).base_coin.total == 1_000_000
    assert compute_balance([_rec(1, out)], {ME}, set(), RENT, NOW - 2).base_coin.total == 0


def test_alias_outputs_are_listed_and_keep_their_deposit() -> None:
    alias = AliasOutput(
        amount=1_000_000,
        unlock_conditions=(
            StateControllerAddressUnlockCondition(Ed25519Address(ME)),
            GovernorAddressUnlockCondition(Ed25519Address(ME)),
        ),
    )
    rec = _rec(7, alias)
    b = compute_balance([rec], {ME}, set(), RENT, NOW)
    assert b.aliases == (alias.chain_id(rec.output_id),)
    assert b.required_storage_deposit.alias == storage_deposit(alias, RENT)
    assert b.base_coin.available == 1_000_000 - storage_deposit(alias, RENT)


def _micro(amount: int, expires: int, *, to: bytes = ME, back: bytes = OTHER, sdr: int | None = None):
    ucs = [AddressUnlockCondition(Ed25519Address(to))]
    if sdr is not None:
        ucs.append(StorageDepositReturnUnlockCondition(Ed25519Address(back), sdr))
    ucs.append(ExpirationUnlockCondition(Ed25519Address(back), expires))
    return BasicOutput(amount=amount, unlock_conditions=tuple(ucs))


def test_unclaimed_micro_amount_is_potentially_locked_not_available() -> None:
    # 1 + 50,599 storage deposit return that expires: the SDK leaves it out of total and available.
    rec = _rec(1, _micro(50_600, NOW + 300, sdr=50_599))
    b = compute_balance([rec], {ME}, set(), RENT, NOW)
    assert (b.base_coin.total, b.base_coin.available) == (0, 0)
    assert b.required_storage_deposit.total == 0
    [entry] = b.potentially_locked_outputs
    assert (entry.output_id, entry.unlockable_now, entry.changes_at) == (rec.output_id, True, NOW + 300)


def test_output_with_only_an_expiration_is_potentially_locked() -> None:
    rec = _rec(1, _micro(2_000_000, NOW + 300))
    b = compute_balance([rec], {ME}, set(), RENT, NOW)
    assert b.base_coin.total == 0
    assert [e.unlockable_now for e in b.potentially_locked_outputs] == [True]


def test_the_sender_sees_its_micro_payment_as_locked_then_owns_it_after_expiry() -> None:
    rec = _rec(1, _micro(50_600, NOW + 300, to=OTHER, back=ME, sdr=50_599))
    before = compute_balance([rec], {ME}, set(), RENT, NOW)
    assert before.base_coin.total == 0
    assert [e.unlockable_now for e in before.potentially_locked_outputs] == [False]
    after = compute_balance([rec], {ME}, set(), RENT, NOW + 300)
    assert (after.base_coin.total, after.base_coin.available) == (50_600, 50_600)
    assert after.required_storage_deposit.basic == storage_deposit(rec.output, RENT)
    assert after.potentially_locked_outputs == ()
    # ... and the receiver that did not claim it sees nothing at all.
    gone = compute_balance([rec], {OTHER}, set(), RENT, NOW + 300)
    assert (gone.base_coin.total, gone.potentially_locked_outputs) == (0, ())


def test_required_storage_deposit_counts_every_basic_output_as_the_sdk_does() -> None:
    b = compute_balance([_rec(1, _basic(50_599))], {ME}, set(), RENT, NOW)
    assert b.required_storage_deposit.basic == 42_600
    assert (b.base_coin.total, b.base_coin.available) == (50_599, 50_599)


def test_storage_deposit_return_without_expiration_counts_what_stays() -> None:
    out = _basic(3_000_000, StorageDepositReturnUnlockCondition(Ed25519Address(OTHER), 50_000))
    b = compute_balance([_rec(1, out)], {ME}, set(), RENT, NOW)
    assert (b.base_coin.total, b.base_coin.available) == (2_950_000, 2_950_000)
    assert b.potentially_locked_outputs == ()
