"""Indexer sync paths agree with each other and fall back where a node refuses a route (found in review).

1. A node that refuses ``/transactions/{id}/included-block`` (403): the milestone catch-up falls back, but the
   ledger-wide listing that a first sync (or a sync with many empty covered addresses) uses next needs that
   route too and the whole sync fails, although querying the addresses would have worked.
2. An output that only returns its storage deposit to one of our addresses (Storage Deposit Return unlock
   condition, owner someone else) is stored as the wallet's output (with a NewOutput event) by the
   per-address queries, but not by the milestone catch-up, the ledger-wide listing or ledger mode: what the
   wallet holds depends on which sync path ran.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.wallet.test_sync_indexer_milestones import FOREIGN, logged_wallet
from tests.wallet_fixtures import MNEMONIC, Devnet, address_of, private_key_of

from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.protocol.output.unlock_conditions import StorageDepositReturnUnlockCondition
from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations import sync_indexer

INDEXER = SyncOptions(SyncMode.INDEXER, internal=False)


async def test_a_first_sync_on_a_node_that_refuses_included_blocks_still_finds_the_deposits(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_indexer, "GLOBAL_SCAN_MIN_ADDRESSES", 2)
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(9)
        addresses = [a.bech32 for a in await account.addresses(internal=False)]
        await devnet.faucet(addresses[2])
        await devnet.faucet(addresses[7])
        await devnet.milestone()
        log.refuse = lambda path: path.endswith("/included-block")  # a node that does not serve this route
        first = await wallet.sync(INDEXER)  # the listing reads those transactions' outputs one by one
        assert len(first.new_output_ids) == 2
    finally:
        await wallet.close()


async def test_an_output_that_only_returns_its_deposit_to_us_is_stored_alike_on_every_path(
    devnet: Devnet, tmp_path: Path
) -> None:
    first, _ = await logged_wallet(devnet, tmp_path / "first")
    second: Wallet | None = None
    try:
        account = await first.create_account("main")
        await account.generate_addresses(3)
        a0 = (await account.addresses(internal=False))[0].bech32
        await devnet.faucet(a0)
        await devnet.milestone()
        await first.sync(INDEXER)  # the cursor now covers the four addresses

        # someone pays FOREIGN with a storage deposit return to our address 1 (the output is FOREIGN's)
        key0 = private_key_of(MNEMONIC, 0, 0)
        (held,) = devnet.unspent_of(address_of(key0))
        sdr = StorageDepositReturnUnlockCondition(address_of(private_key_of(MNEMONIC, 0, 1)), 50_000)
        await devnet.transact(
            key0,
            [held],
            [
                BasicOutput(200_000, (AddressUnlockCondition(FOREIGN), sdr)),
                BasicOutput(devnet.faucet_amount - 200_000, (AddressUnlockCondition(FOREIGN),)),
            ],
        )
        await first.sync(INDEXER)  # one milestone since: brought up to date from the milestone
        by_milestones = {r.output_id for r in await account.unspent_outputs()}

        second, _ = await logged_wallet(devnet, tmp_path / "second")
        other = await second.create_account("main")
        await other.generate_addresses(3)
        await second.sync(INDEXER)  # a first sync of 4 addresses: every address queried
        by_queries = {r.output_id for r in await other.unspent_outputs()}

        assert by_milestones == by_queries  # neither stores FOREIGN's output
        assert sum(r.amount for r in await other.unspent_outputs()) == 0
    finally:
        await first.close()
        if second is not None:
            await second.close()


async def test_queried_addresses_paid_by_one_transaction_on_a_node_that_refuses_included_blocks(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three outputs of one transaction are read through its included block; refused, one by one."""
    monkeypatch.setattr(sync_indexer, "MAX_CATCH_UP_MILESTONES", 0)
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(3)
        ours = await account.addresses(internal=False)
        key = private_key_of(MNEMONIC, 0, 0)
        await devnet.fund(ours[0].bech32)
        await wallet.sync(INDEXER)
        (held,) = devnet.unspent_of(address_of(key))
        third = devnet.faucet_amount // 3
        outputs = [
            BasicOutput(third, (AddressUnlockCondition(address_of(private_key_of(MNEMONIC, 0, i))),))
            for i in (1, 2, 3)
        ]
        rest = devnet.faucet_amount - 3 * third
        outputs[0] = BasicOutput(third + rest, outputs[0].unlock_conditions)
        await devnet.transact(key, [held], outputs)
        log.refuse = lambda path: path.endswith("/included-block")
        result = await wallet.sync(INDEXER)
        assert len(result.new_output_ids) == 3
        assert result.spent_output_ids == (held,)
        assert sum(r.amount for r in await account.unspent_outputs()) == devnet.faucet_amount
    finally:
        await wallet.close()
