"""Tracking on the in-process devnet: reattachment of held and lost blocks with the same payload, a double
spend detected as conflicting, recovery after a crash between the steps of a send."""

from __future__ import annotations

from tests.wallet_fixtures import MNEMONIC, Devnet, open_again

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.semantic import ConflictReason
from tanglehub.wallet.operations.send import prepare_send, send
from tanglehub.wallet.operations.tracking import (
    recover_after_restart,
    retry_until_included,
    sync_pending_transactions,
    track_transaction,
)
from tanglehub.wallet.operations.transaction import sign_transaction
from tanglehub.wallet.operations.transaction.prepare import release_in_flight


def fault(devnet: Devnet, **changes: object) -> None:
    faults = devnet.node.faults
    faults.replace(faults.settings.updated(dict(changes)))


async def first_address(account) -> str:  # type: ignore[no-untyped-def]
    return (await account.addresses(internal=False))[0].bech32


async def reservations(account) -> list:  # type: ignore[no-untyped-def]
    return await account.wallet.store.read(lambda tx: tx.reservations())


async def test_a_block_left_unreferenced_is_reattached_with_the_same_payload(
    wallet_factory, devnet: Devnet
) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    fault(devnet, holdNextBlocks=1)
    rec = await send(alice, 100_000, await first_address(alice))
    first_block = rec.block_id
    assert (await alice.wallet.node.get_block_metadata(first_block)).should_reattach is True
    await devnet.milestone()  # the held block stays out of it
    again = await track_transaction(alice, rec.tx_id)
    assert again.state == "pending"
    assert again.block_id != first_block
    assert again.attempts == 2
    await devnet.milestone()
    done = await retry_until_included(alice, rec.tx_id, interval=0.05, max_attempts=3)
    assert done.state == "confirmed"
    assert done.tx_id == rec.tx_id
    assert done.block_id == again.block_id
    assert await reservations(alice) == []
    spent = await alice.wallet.store.read(lambda tx: tx.outputs(alice.index, spent=True))
    assert [o.spent_tx_id for o in spent] == [rec.tx_id]


async def test_a_lost_block_is_posted_again(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    fault(devnet, loseNextBlocks=1)
    rec = await send(alice, 100_000, await first_address(alice))
    await devnet.milestone()
    again = await track_transaction(alice, rec.tx_id)  # metadata 404: the same payload goes out again
    assert again.attempts == 2
    await devnet.milestone()
    assert (await retry_until_included(alice, rec.tx_id, interval=0.05, max_attempts=2)).state == "confirmed"


async def test_a_double_spend_from_another_copy_of_the_wallet_is_conflicting(
    wallet_factory, devnet: Devnet
) -> None:
    one = await (await wallet_factory("one", mnemonic=MNEMONIC, funded=1)).get_account("main")
    two_wallet = await wallet_factory("two", mnemonic=MNEMONIC)
    two = await two_wallet.get_account("main")
    await two.sync()
    target = Ed25519Address(b"\x42" * 32).to_bech32("tst")
    a = await send(one, 100_000, target)
    b = await send(two, 200_000, target)
    assert {u.output_id for u in a.payload.essence.inputs} == {u.output_id for u in b.payload.essence.inputs}
    await devnet.milestone()
    ra = await track_transaction(one, a.tx_id)
    rb = await track_transaction(two, b.tx_id)
    states = sorted([ra.state, rb.state])
    assert states == ["confirmed", "conflicting"]
    loser = rb if rb.state == "conflicting" else ra
    assert loser.conflict_reason in (
        ConflictReason.INPUT_UTXO_ALREADY_SPENT,
        ConflictReason.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE,
    )
    winner = (ra if ra.state == "confirmed" else rb).payload
    for account in (one, two):
        assert await reservations(account) == []
        unspent = await account.wallet.store.read(lambda tx, i=account.index: tx.outputs(i, spent=False))
        if account is (one if ra.state == "confirmed" else two):  # its remainder is booked on confirmation
            assert [r.output.amount for r in unspent] == [winner.essence.outputs[1].amount]
        else:
            assert unspent == []


async def test_crash_after_signing_resends_the_same_payload(wallet_factory, devnet: Devnet, tmp_path) -> None:
    wallet = await wallet_factory("alice", funded=1)
    alice = await wallet.get_account("main")
    prepared = await prepare_send(alice, [(await first_address(alice), 250_000)])
    signed = await sign_transaction(alice, prepared)  # stored as pending, never posted: then the "crash"
    await wallet.close()
    reopened = await open_again(devnet, tmp_path / "alice")  # open runs the recovery of every account
    try:
        account = await reopened.get_account("main")
        report = reopened.last_recovery[account.index]
        assert report.resubmitted == (signed.transaction_id,)
        assert report.released == ()
        assert [p.tx_id for p in report.pending] == [signed.transaction_id]
        assert (await recover_after_restart(account)).resubmitted == ()  # nothing left to do
        await devnet.milestone()
        done = await sync_pending_transactions(account)
        assert [(d.tx_id, d.state) for d in done] == [(signed.transaction_id, "confirmed")]
    finally:
        await reopened.close()


async def test_open_without_recovery_leaves_the_payload_unposted(wallet_factory, devnet: Devnet, tmp_path) -> None:
    wallet = await wallet_factory("alice", funded=1)
    alice = await wallet.get_account("main")
    signed = await sign_transaction(alice, await prepare_send(alice, [(await first_address(alice), 250_000)]))
    await wallet.close()
    reopened = await open_again(devnet, tmp_path / "alice", recover=False)
    try:
        assert reopened.last_recovery == {}
        account = await reopened.get_account("main")
        assert (await account.pending_transactions())[0].block_id is None
        report = await recover_after_restart(account)
        assert report.resubmitted == (signed.transaction_id,)
    finally:
        await reopened.close()


async def test_open_releases_reservations_of_a_send_that_never_signed(
    wallet_factory, devnet: Devnet, tmp_path
) -> None:
    wallet = await wallet_factory("alice", funded=1)
    await wallet.create_account("idle")
    alice = await wallet.get_account("main")
    prepared = await prepare_send(alice, [(await first_address(alice), 250_000)])
    release_in_flight(prepared.essence_hash())  # as after a restart: nobody is signing it any more
    await wallet.close()
    reopened = await open_again(devnet, tmp_path / "alice")
    try:
        account = await reopened.get_account("main")
        assert set(reopened.last_recovery) == {0}  # the idle account needed no recovery
        assert reopened.last_recovery[0].released == tuple(i.output_id for i in prepared.inputs)
        assert await reservations(account) == []
    finally:
        await reopened.close()


async def test_crash_before_signing_releases_the_reserved_inputs(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    prepared = await prepare_send(alice, [(await first_address(alice), 250_000)])
    assert len(await reservations(alice)) == 1
    release_in_flight(prepared.essence_hash())  # as after a restart: nobody is signing it any more
    report = await recover_after_restart(alice)
    assert report.released == tuple(i.output_id for i in prepared.inputs)
    assert await reservations(alice) == []
    rec = await send(alice, 250_000, await first_address(alice))
    await devnet.milestone()
    assert (await retry_until_included(alice, rec.tx_id, interval=0.05, max_attempts=2)).state == "confirmed"


async def test_recovery_marks_inputs_spent_when_the_ledger_shows_them_spent(
    wallet_factory, devnet: Devnet
) -> None:
    one = await (await wallet_factory("one", mnemonic=MNEMONIC, funded=1)).get_account("main")
    two = await (await wallet_factory("two", mnemonic=MNEMONIC)).get_account("main")
    await two.sync()
    prepared = await prepare_send(two, [(await first_address(two), 100_000)])  # reserved in copy two only
    release_in_flight(prepared.essence_hash())
    rec = await send(one, 100_000, await first_address(one))  # copy one spends the same output
    await devnet.milestone()
    await track_transaction(one, rec.tx_id)
    report = await recover_after_restart(two)
    assert report.released == ()
    assert report.marked_spent == tuple(i.output_id for i in prepared.inputs)
    assert await reservations(two) == []
