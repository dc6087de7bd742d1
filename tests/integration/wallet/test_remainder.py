"""The remainder of a send is in the balance as soon as the transaction is confirmed, before any sync."""

from __future__ import annotations

import pytest
from tests.wallet_fixtures import Devnet

from tanglehub.wallet import BalanceChange, NewOutput, SpentOutput, SyncMode, SyncOptions
from tanglehub.wallet.operations.send import send
from tanglehub.wallet.operations.tracking import retry_until_included

AWAY = "tst1qpszqzadsym6wpppd6z037dvlejmjuke7s24hm95s9fg9vpua7vlupxvxq2"


@pytest.mark.parametrize("mode", [SyncMode.INDEXER, SyncMode.LEDGER])
async def test_confirmed_send_books_the_remainder_at_once_and_sync_adds_nothing(
    wallet_factory, devnet: Devnet, mode: SyncMode
) -> None:
    wallet = await wallet_factory(funded=1)
    account = await wallet.get_account("main")
    opts = SyncOptions(mode=mode)
    await account.sync(opts)
    before = [d.seq for d in await wallet.events.history()][-1]
    amount = 1_000_000
    rec = await send(account, amount, AWAY)
    await devnet.milestone()
    done = await retry_until_included(account, rec.tx_id, interval=0.05, max_attempts=3)
    assert done.state == "confirmed"

    left = devnet.faucet_amount - amount
    assert (await account.balance()).base_coin.total == left
    events = [d.event for d in await wallet.events.history() if d.seq > before]
    changes = [e for e in events if isinstance(e, BalanceChange)]
    assert [(c.before, c.after) for c in changes] == [(devnet.faucet_amount, left)]
    (new,) = [e for e in events if isinstance(e, NewOutput)]
    assert new.amount == left
    assert new.booked_index == done.inclusion_index
    assert len([e for e in events if isinstance(e, SpentOutput)]) == 1

    result = await account.sync(opts)
    assert not result.changed
    assert (await account.balance()).base_coin.total == left
    after_sync = [d.event for d in await wallet.events.history() if d.seq > before]
    assert after_sync == events


async def test_a_sync_that_sees_the_inputs_spent_stores_the_remainder_and_confirms(
    wallet_factory, devnet: Devnet
) -> None:
    """Review 1, finding 10: a partial sync (here: public addresses only, as a sync cut short after the
    input's chunk) sees the inputs of the wallet's own pending transaction spent but never reaches the
    remainder's address. The remainder must still be counted: the total never drops below it."""
    wallet = await wallet_factory(funded=1)
    account = await wallet.get_account("main")
    before = [d.seq for d in await wallet.events.history()][-1]
    amount = 1_000_000
    rec = await send(account, amount, AWAY)
    await devnet.milestone()  # confirmed on the ledger; the wallet has not tracked it

    await account.sync(SyncOptions(mode=SyncMode.INDEXER, internal=False))

    left = devnet.faucet_amount - amount
    assert (await account.balance()).base_coin.total == left
    assert [r.amount for r in await account.unspent_outputs()] == [left]
    assert await account.pending_transactions() == []
    (done,) = await account.transactions()
    assert (done.tx_id, done.state) == (rec.tx_id, "confirmed")
    events = [d.event for d in await wallet.events.history() if d.seq > before]
    changes = [(e.before, e.after) for e in events if isinstance(e, BalanceChange)]
    assert changes == [(devnet.faucet_amount, left)]
    assert await account.sync() is not None
    assert (await account.balance()).base_coin.total == left
