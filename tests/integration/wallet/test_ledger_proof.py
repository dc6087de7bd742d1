"""Review 1, finding 4: a sync never marks an output spent without proof, and refuses a node that is behind or
serves another ledger of the same network name (a fresh devnet) instead of emptying the balance.

Two in-process devnets with the same configuration stand for "the wallet's ledger" (``devnet``) and "a fresh
network with the same name" (``other``); both answer over the node API through a ``NodePool``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.wallet_fixtures import Devnet, open_again

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.protocol.ids import output_id
from tanglehub.wallet import (
    BalanceChange,
    LedgerBehindError,
    LedgerMismatchError,
    SyncMode,
    SyncOptions,
    Wallet,
)
from tanglehub.wallet.operations.ledger_check import LEDGER_ANCHOR_KEY
from tanglehub.wallet.operations.sync_ledger import LEDGER_CURSOR_KEY
from tanglehub.wallet.storage_schema import OutputRecord

MODES = [SyncMode.INDEXER, SyncMode.LEDGER]


@pytest.fixture
async def other() -> AsyncIterator[Devnet]:
    """A second devnet: same network name and configuration, its own (fresh) ledger."""
    node = DevnetNode(DevnetConfig(milestone_interval=0))
    d = Devnet(node, create_app(node=node))
    yield d
    for pool in d.pools:
        await pool.aclose()
    node.close()


async def _funded(wallet_factory, devnet: Devnet, mode: SyncMode) -> tuple[Wallet, Path]:
    wallet = await wallet_factory(funded=2)
    await wallet.sync(SyncOptions(mode=mode))
    for _ in range(3):
        await devnet.milestone()
    await wallet.sync(SyncOptions(mode=mode))
    return wallet, wallet.path


async def _total(wallet: Wallet) -> int:
    return (await (await wallet.get_account("main")).balance()).base_coin.total


@pytest.mark.parametrize("mode", MODES)
async def test_sync_against_another_ledger_is_refused_and_the_balance_survives(
    wallet_factory, devnet: Devnet, other: Devnet, mode: SyncMode
) -> None:
    wallet, path = await _funded(wallet_factory, devnet, mode)
    funded = 2 * devnet.faucet_amount
    assert await _total(wallet) == funded
    await wallet.close()
    for _ in range(12):  # the fresh network is ahead: it has other milestones at the indexes the wallet saw
        await other.milestone()

    wrong = await open_again(other, path)
    try:
        with pytest.raises(LedgerMismatchError, match="another ledger") as caught:
            await wrong.sync(SyncOptions(mode=mode))
        assert not isinstance(caught.value, LedgerBehindError)
        assert caught.value.code == "WALLET_LEDGER_MISMATCH"
        assert await _total(wrong) == funded
        spent = await (await wrong.get_account("main")).outputs()
        assert [r.spent for r in spent] == [False, False]
    finally:
        await wrong.close()

    right = await open_again(devnet, path)
    try:
        await devnet.milestone()
        await right.sync(SyncOptions(mode=mode))
        assert await _total(right) == funded
    finally:
        await right.close()


@pytest.mark.parametrize("mode", MODES)
async def test_sync_against_a_node_behind_the_wallet_is_refused_and_the_cursor_stays(
    wallet_factory, devnet: Devnet, other: Devnet, mode: SyncMode
) -> None:
    wallet, path = await _funded(wallet_factory, devnet, mode)
    cursor_before = await wallet.store.read(lambda tx: tx.get_meta(LEDGER_CURSOR_KEY))
    await wallet.close()
    await other.milestone()  # far below the milestones the wallet has seen

    behind = await open_again(other, path)
    try:
        with pytest.raises(LedgerBehindError, match="is below milestone") as caught:
            await behind.sync(SyncOptions(mode=mode))
        assert caught.value.code == "WALLET_LEDGER_BEHIND"
        assert await _total(behind) == 2 * devnet.faucet_amount
        assert await behind.store.read(lambda tx: tx.get_meta(LEDGER_CURSOR_KEY)) == cursor_before
    finally:
        await behind.close()


async def test_a_wallet_without_an_anchor_checks_an_output_it_holds(
    wallet_factory, devnet: Devnet, other: Devnet
) -> None:
    """A wallet synced by an older version has no anchor: the output it holds must exist on the node."""
    wallet, path = await _funded(wallet_factory, devnet, SyncMode.INDEXER)
    await wallet.store.write(lambda tx: tx.set_meta(LEDGER_ANCHOR_KEY, ""))
    await wallet.close()
    for _ in range(12):
        await other.milestone()

    wrong = await open_again(other, path)
    try:
        with pytest.raises(LedgerMismatchError, match="does not know output"):
            await wrong.sync(SyncOptions(mode=SyncMode.INDEXER))
        assert await _total(wrong) == 2 * devnet.faucet_amount
    finally:
        await wrong.close()


async def test_an_output_the_node_does_not_know_is_not_marked_spent(wallet_factory, devnet: Devnet) -> None:
    """Neither the indexer nor the node's ledger knows the output (lagging, re-indexing node): no proof."""
    wallet = await wallet_factory(funded=1)
    account = await wallet.get_account("main")
    held = (await account.unspent_outputs())[0]
    unknown = OutputRecord(
        output_id=output_id(bytes(range(32)), 0),
        account_index=account.index,
        address_hash=held.address_hash,
        output=held.output,
        block_id=held.block_id,
        booked_index=held.booked_index - 1,
        booked_timestamp=held.booked_timestamp,
    )
    await wallet.store.write(lambda tx: tx.insert_output(unknown))
    await devnet.milestone()
    await account.sync()
    stored = {r.output_id: r.spent for r in await account.outputs()}
    assert stored == {held.output_id: False, unknown.output_id: False}


@pytest.mark.parametrize("mode", MODES)
async def test_outputs_marked_spent_without_a_spender_are_checked_again(
    wallet_factory, devnet: Devnet, mode: SyncMode
) -> None:
    """Older versions marked an output spent on "unknown output" alone; the next sync asks the node again."""
    wallet, _ = await _funded(wallet_factory, devnet, mode)
    account = await wallet.get_account("main")
    first, second = await account.unspent_outputs()

    def mark(tx) -> None:  # what an older version stored
        for rec in (first, second):
            tx.mark_output_spent(rec.output_id, tx_id=None, milestone_index=None, timestamp=None)

    await wallet.store.write(mark)
    assert await _total(wallet) == 0
    last = [d.seq for d in await wallet.events.history()][-1]
    await devnet.milestone()
    await wallet.sync(SyncOptions(mode=mode))
    assert await _total(wallet) == 2 * devnet.faucet_amount
    assert {r.output_id for r in await account.unspent_outputs()} == {first.output_id, second.output_id}
    changes = [d.event for d in await wallet.events.history() if d.seq > last]
    assert [(e.before, e.after) for e in changes if isinstance(e, BalanceChange)] == [
        (0, devnet.faucet_amount),
        (devnet.faucet_amount, 2 * devnet.faucet_amount),
    ]
