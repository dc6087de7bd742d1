"""TransactionProgress events of the offline sending steps: logged with the state change of each step."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.wallet.test_send_offline import COLD, MIN, MNEMONIC, OTHER_MNEMONIC, VIEW, make_account

from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.vault import MnemonicSigner
from tanglehub.wallet.errors import StorageError
from tanglehub.wallet.events import EVENT_TYPES, ProgressStep, TransactionProgress, event_from_json
from tanglehub.wallet.operations.transaction import (
    CustomAddress,
    TransactionOptions,
    TransactionRejectedError,
    prepare_transaction,
    sign_transaction,
)
from tanglehub.wallet.storage_queries import StoreTx

OUT = [BasicOutput(2 * MIN, (AddressUnlockCondition(COLD),))]
OPTS = TransactionOptions(remainder=CustomAddress(COLD))


async def progress(account) -> list[TransactionProgress]:  # type: ignore[no-untyped-def]
    records = await account.wallet.store.read(lambda tx: tx.events_after(0, limit=100))
    events = [event_from_json(r.kind, r.payload) for r in records]
    return [e for e in events if isinstance(e, TransactionProgress)]


def test_progress_events_round_trip_with_block_and_essence_hash() -> None:
    event = TransactionProgress(1, ProgressStep.BROADCASTING, b"\x01" * 32, "x", b"\x02" * 32, b"\x03" * 32)
    back = event_from_json("TransactionProgress", event.to_json())
    assert back == event
    assert back.to_json()["step"] == "Broadcasting"
    assert EVENT_TYPES["TransactionProgress"] is TransactionProgress


async def test_prepare_and_sign_log_their_steps(tmp_path: Path) -> None:
    account = await make_account(tmp_path, MnemonicSigner(MNEMONIC), [3 * MIN])
    prepared = await prepare_transaction(account, OUT, OPTS, view=VIEW)
    steps = await progress(account)
    assert [e.step for e in steps] == ["SelectingInputs", "PreparedTransaction"]
    assert {e.essence_hash for e in steps} == {prepared.essence_hash()}
    assert all(e.transaction_id is None and e.account_index == 0 for e in steps)
    signed = await sign_transaction(account, prepared)
    steps = await progress(account)
    assert [e.step for e in steps][2:] == [ProgressStep.SIGNED_TRANSACTION]
    assert steps[2].transaction_id == signed.transaction_id
    await account.wallet.store.aclose()


async def test_a_rejected_signature_logs_no_signed_step(tmp_path: Path) -> None:
    account = await make_account(tmp_path, MnemonicSigner(OTHER_MNEMONIC), [3 * MIN])
    prepared = await prepare_transaction(account, OUT, OPTS, view=VIEW)
    with pytest.raises(TransactionRejectedError):
        await sign_transaction(account, prepared)
    assert [e.step for e in await progress(account)] == ["SelectingInputs", "PreparedTransaction"]
    await account.wallet.store.aclose()


async def test_the_prepared_step_is_not_logged_when_the_reservation_does_not_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = await make_account(tmp_path, MnemonicSigner(MNEMONIC), [3 * MIN])
    real = StoreTx.add_event

    def add_then_fail(self: StoreTx, event) -> int:  # type: ignore[no-untyped-def]
        seq = real(self, event)
        if getattr(event, "step", None) == ProgressStep.PREPARED_TRANSACTION:
            raise StorageError("disk full (simulated)")
        return seq

    monkeypatch.setattr(StoreTx, "add_event", add_then_fail)
    with pytest.raises(StorageError):
        await prepare_transaction(account, OUT, OPTS, view=VIEW)
    monkeypatch.undo()
    assert await progress(account) == []
    assert await account.wallet.store.read(lambda tx: tx.reservations()) == []
    await account.wallet.store.aclose()
