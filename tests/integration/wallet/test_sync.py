"""Sync in both modes: deposits found, spends detected, reruns change nothing, crashes are harmless."""

from __future__ import annotations

import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet, address_of, private_key_of

from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.wallet import NewOutput, OutputFilter, SpentOutput, SyncMode, SyncOptions
from tanglehub.wallet.operations.sync_ledger import LEDGER_CURSOR_KEY

MODES = [SyncMode.INDEXER, SyncMode.LEDGER]


async def _events(wallet, kind):
    return [d.event for d in await wallet.events.history(kinds=[kind])]


@pytest.mark.parametrize("mode", MODES)
async def test_deposit_then_spend_in_both_modes(wallet_factory, devnet: Devnet, mode: SyncMode) -> None:
    wallet = await wallet_factory(mnemonic=MNEMONIC)
    account = await wallet.get_account("main")
    opts = SyncOptions(mode=mode)
    await account.sync(opts)  # in ledger mode the first sync sets the cursor
    addresses = await account.generate_addresses(3)
    await devnet.fund(addresses[1].bech32, times=2)

    result = await account.sync(opts)
    assert len(result.new_output_ids) == 2
    balance = await account.balance()
    assert balance.base_coin.total == 2 * devnet.faucet_amount
    new_events = await _events(wallet, NewOutput)
    assert {e.output_id for e in new_events} == set(result.new_output_ids)
    assert {e.address for e in new_events} == {addresses[1].bech32}

    again = await account.sync(opts)
    assert not again.changed
    assert len(await _events(wallet, NewOutput)) == 2

    key = private_key_of(MNEMONIC, 0, 2)
    away = address_of(private_key_of(MNEMONIC, 9))
    spent_ids = list(result.new_output_ids)
    payout = BasicOutput(amount=2 * devnet.faucet_amount, unlock_conditions=(AddressUnlockCondition(away),))
    tx_id = await devnet.transact(key, spent_ids, [payout])

    spent = await account.sync(opts)
    assert set(spent.spent_output_ids) == set(spent_ids)
    assert (await account.balance()).base_coin.total == 0
    spent_events = await _events(wallet, SpentOutput)
    assert {e.spent_transaction_id for e in spent_events} == {tx_id}
    stored = await account.outputs(OutputFilter(spent=True))
    assert {r.output_id for r in stored} == set(spent_ids)
    assert not (await account.sync(opts)).changed


async def test_ledger_mode_reads_only_new_milestones(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    ledger = SyncOptions(mode=SyncMode.LEDGER)
    await wallet.sync(ledger)
    start = int(await wallet.store.read(lambda tx: tx.get_meta(LEDGER_CURSOR_KEY)))
    for _ in range(3):
        await devnet.milestone()
    address = (await account.addresses())[0].bech32
    await devnet.fund(address)
    result = await wallet.sync(ledger)
    assert result.milestones_read == 4
    assert len(result.new_output_ids) == 1
    assert int(await wallet.store.read(lambda tx: tx.get_meta(LEDGER_CURSOR_KEY))) == start + 4
    assert (await wallet.sync(ledger)).milestones_read == 0


async def test_ledger_mode_covers_every_account(wallet_factory, devnet: Devnet) -> None:
    wallet = await wallet_factory(alias=None)
    users = [await wallet.create_account(f"user-{i}") for i in range(3)]
    await wallet.sync(SyncOptions(mode=SyncMode.LEDGER))
    for user in users[::2]:
        await devnet.faucet((await user.addresses())[0].bech32)
    await devnet.milestone()
    await wallet.sync(SyncOptions(mode=SyncMode.LEDGER))
    totals = [(await u.balance()).base_coin.total for u in users]
    assert totals == [devnet.faucet_amount, 0, devnet.faucet_amount]


@pytest.mark.parametrize("mode", MODES)
async def test_crash_during_apply_leaves_nothing_and_rerun_counts_once(
    wallet_factory, devnet: Devnet, mode: SyncMode, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    opts = SyncOptions(mode=mode)
    await account.sync(opts)
    await devnet.fund((await account.addresses())[0].bech32)

    from tanglehub.wallet.operations import outputs as outputs_module

    real = outputs_module.apply_changes

    def crashing(tx, *args, **kwargs):
        real(tx, *args, **kwargs)
        raise KeyboardInterrupt("simulated crash before commit")

    monkeypatch.setattr("tanglehub.wallet.operations.sync_indexer.apply_changes", crashing)
    monkeypatch.setattr("tanglehub.wallet.operations.indexer_queries.apply_changes", crashing)
    monkeypatch.setattr("tanglehub.wallet.operations.sync_ledger.apply_changes", crashing)
    with pytest.raises(KeyboardInterrupt):
        await account.sync(opts)
    assert await account.outputs() == []
    assert await wallet.events.history() == []
    monkeypatch.undo()

    result = await account.sync(opts)
    assert len(result.new_output_ids) == 1
    assert (await account.balance()).base_coin.total == devnet.faucet_amount
    assert len(await _events(wallet, NewOutput)) == 1
