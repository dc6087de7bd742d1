"""Sending on the in-process devnet: payments confirmed, many recipients, remainder strategies, tagged
data, micro amounts claimed by the receiver, consolidation, concurrent sends, the split API."""

from __future__ import annotations

import asyncio

import pytest
from tests.wallet_fixtures import Devnet

from tanglehub.protocol.address import Ed25519Address, address_from_bech32
from tanglehub.protocol.output import BasicOutput, StorageDepositReturnUnlockCondition
from tanglehub.protocol.payload import TaggedDataPayload, TransactionPayload
from tanglehub.protocol.rent import min_deposit_basic
from tanglehub.wallet.operations.claim import claim_outputs, claimable_outputs
from tanglehub.wallet.operations.consolidate import consolidate_outputs
from tanglehub.wallet.operations.send import prepare_send, send, send_many
from tanglehub.wallet.operations.tracking import retry_until_included
from tanglehub.wallet.operations.transaction import (
    AmountBelowStorageDepositError,
    CustomAddress,
    InsufficientFundsError,
    PreparedTransaction,
    ReuseAddress,
    SignedTransaction,
    TransactionOptions,
    sign_transaction,
    submit_transaction,
)


async def confirm(devnet: Devnet, account, tx_id: bytes):  # type: ignore[no-untyped-def]
    await devnet.milestone()
    rec = await retry_until_included(account, tx_id, interval=0.05, max_attempts=3)
    assert rec.state == "confirmed"
    return rec


async def first_address(account) -> str:  # type: ignore[no-untyped-def]
    return (await account.addresses(internal=False))[0].bech32


async def unspent(account) -> list:  # type: ignore[no-untyped-def]
    await account.sync()
    return await account.unspent_outputs()


async def test_send_is_confirmed_and_the_receiver_sees_it(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    bob = await (await wallet_factory("bob")).get_account("main")
    amount = 1_234_567
    rec = await send(alice, amount, await first_address(bob), TransactionOptions(note="rent"))
    assert rec.state == "pending"
    assert rec.block_id is not None
    assert rec.note == "rent"
    done = await confirm(devnet, alice, rec.tx_id)
    assert done.inclusion_index is not None
    assert [o.amount for o in await unspent(bob)] == [amount]
    left = await unspent(alice)
    assert sum(o.amount for o in left) == devnet.faucet_amount - amount
    internal = {a.hash for a in await alice.addresses(internal=True)}
    assert [o.address_hash in internal for o in left] == [True]  # the remainder went to a change address
    assert not await alice.wallet.store.read(lambda tx: tx.reservations())


async def test_many_recipients_in_one_transaction(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    bob = await (await wallet_factory("bob")).get_account("main")
    targets = [a.bech32 for a in await bob.generate_addresses(3)]
    rec = await send_many(alice, [(t, 100_000 * (i + 1)) for i, t in enumerate(targets)])
    assert len(rec.payload.essence.outputs) == 4  # three payments and the remainder
    await confirm(devnet, alice, rec.tx_id)
    assert sorted(o.amount for o in await unspent(bob)) == [100_000, 200_000, 300_000]


async def test_remainder_strategies(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    me = await first_address(alice)
    cold = Ed25519Address(b"\x42" * 32)
    rec = await send(alice, 500_000, cold.to_bech32("tst"), TransactionOptions(remainder=ReuseAddress()))
    remainder = rec.payload.essence.outputs[-1]
    assert remainder.address == address_from_bech32(me)
    await confirm(devnet, alice, rec.tx_id)
    await alice.sync()
    rec = await send(alice, 500_000, cold.to_bech32("tst"), TransactionOptions(remainder=CustomAddress(cold)))
    assert rec.payload.essence.outputs[-1].address == cold
    await confirm(devnet, alice, rec.tx_id)
    assert await unspent(alice) == []  # everything went to the cold address


async def test_tagged_data_travels_in_the_transaction(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    tagged = TaggedDataPayload(b"withdrawal", b"id=77")
    rec = await send(alice, 100_000, await first_address(alice), TransactionOptions(tagged_data=tagged))
    await confirm(devnet, alice, rec.tx_id)
    block = await alice.wallet.node.get_included_block(rec.tx_id)
    assert isinstance(block.payload, TransactionPayload)
    assert block.payload.essence.payload == tagged


async def test_micro_amount_with_return_and_expiration_then_claimed(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    bob = await (await wallet_factory("bob", funded=1)).get_account("main")
    minimum = min_deposit_basic(devnet.node.params.rent_structure)
    with pytest.raises(AmountBelowStorageDepositError) as info:
        await send(alice, 1_000, await first_address(bob))
    assert info.value.minimum == minimum
    rec = await send(alice, 1_000, await first_address(bob), TransactionOptions(allow_micro_amount=True))
    await confirm(devnet, alice, rec.tx_id)
    bob_before = sum(o.amount for o in await unspent(bob))
    claimable = await claimable_outputs(bob)
    assert len(claimable) == 1
    micro = (await bob.wallet.store.read(lambda tx: tx.output(claimable[0]))).output
    sdruc = micro.unlock_condition(StorageDepositReturnUnlockCondition)
    assert micro.amount - sdruc.amount == 1_000
    assert sdruc.return_address == address_from_bech32(await first_address(alice))
    claimed = await claim_outputs(bob)
    assert claimed is not None
    await confirm(devnet, bob, claimed.tx_id)
    # Bob keeps the 1000 meant for him; the deposit went back to Alice.
    assert sum(o.amount for o in await unspent(bob)) == bob_before - micro.amount + 1_000
    assert await claimable_outputs(bob) == []
    # Alice got her storage deposit back as a plain output.
    assert sdruc.amount in [o.amount for o in await unspent(alice)]


async def test_consolidation_merges_many_small_outputs(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=5)).get_account("main")
    assert len(await unspent(alice)) == 5
    sent = await consolidate_outputs(alice)
    assert len(sent) == 1
    assert len(sent[0].payload.essence.inputs) == 5
    await confirm(devnet, alice, sent[0].tx_id)
    left = await unspent(alice)
    assert [o.amount for o in left] == [5 * devnet.faucet_amount]
    assert await consolidate_outputs(alice) == []


async def test_concurrent_sends_never_pick_the_same_outputs(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=2)).get_account("main")
    bob = await (await wallet_factory("bob")).get_account("main")
    to = await first_address(bob)
    one, two = await asyncio.gather(send(alice, 100_000, to), send(alice, 200_000, to))
    ins_one = {u.output_id for u in one.payload.essence.inputs}
    ins_two = {u.output_id for u in two.payload.essence.inputs}
    assert ins_one.isdisjoint(ins_two)
    await devnet.milestone()
    for rec in (one, two):
        assert (await retry_until_included(alice, rec.tx_id, interval=0.05, max_attempts=3)).state == "confirmed"
    # With one spendable output, the second of two concurrent sends finds nothing left to spend.
    carol = await (await wallet_factory("carol", funded=1)).get_account("main")
    results = await asyncio.gather(send(carol, 100_000, to), send(carol, 100_000, to), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1
    assert isinstance(errors[0], InsufficientFundsError)
    assert errors[0].available == 0


async def test_insufficient_funds_says_how_much_more(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    with pytest.raises(InsufficientFundsError) as info:
        await send(alice, devnet.faucet_amount + 5, await first_address(alice))
    assert (info.value.available, info.value.missing) == (devnet.faucet_amount, 5)
    assert not await alice.wallet.store.read(lambda tx: tx.reservations())


async def test_split_api_prepare_as_json_sign_and_submit(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    prepared = await prepare_send(alice, [(await first_address(alice), 300_000)])
    assert len(await alice.wallet.store.read(lambda tx: tx.reservations())) == 1
    again = PreparedTransaction.from_json(prepared.to_json())
    assert again == prepared
    signed = await sign_transaction(alice, again)
    assert SignedTransaction.from_json(signed.to_json()) == signed
    reservations = await alice.wallet.store.read(lambda tx: tx.reservations())
    assert {r.tx_id for r in reservations} == {signed.transaction_id}
    block_id = await submit_transaction(alice, signed)
    rec = await confirm(devnet, alice, signed.transaction_id)
    assert rec.block_id == block_id
    assert isinstance(rec.payload.essence.outputs[0], BasicOutput)


async def test_a_send_without_remainder_derives_no_change_address(wallet_factory, devnet: Devnet) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    bob = await (await wallet_factory("bob")).get_account("main")
    internal_before = await alice.addresses(internal=True)
    everything = sum(o.amount for o in await unspent(alice))
    rec = await send(alice, everything, await first_address(bob))
    assert len(rec.payload.essence.outputs) == 1  # no remainder
    assert await alice.addresses(internal=True) == internal_before
    await confirm(devnet, alice, rec.tx_id)
    assert sum(o.amount for o in await unspent(bob)) == everything
