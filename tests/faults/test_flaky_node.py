"""Acceptance: a 1,000-address wallet keeps working against a flaky node (30% 503 answers, 10% dropped
connections), only slower; and an interrupted indexer sync resumes instead of starting over.

A devnet runs as a child process (a milestone every 0.25 s) with its fault switches on (``POST
/api/devnet/v1/faults``: ``errorRate`` 0.3, ``dropRate`` 0.1, seeded). The wallet talks to it over real HTTP
through a ``NodePool`` with its default retry policy. Sends (each followed until included) and syncs (ledger
and indexer mode in turn) must all complete; afterwards, with the faults off, the wallet's unspent outputs and
balance must equal what the devnet's ledger shows for every wallet address.

CI runs 5 sends and 5 syncs; ``TANGLEHUB_FAULT_ROUNDS=20`` runs the full 20 + 20 of issue 12.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.faults.harness import CALM, FAUCET_AMOUNT, PASSWORD, DevnetProcess, faulty_devnet

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.node import NodeClient, NodePool, OutputQuery
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import blake2b256
from tanglehub.vault import KdfParams
from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations import sync_indexer
from tanglehub.wallet.operations.send import send
from tanglehub.wallet.operations.sync_indexer import indexer_progress_key
from tanglehub.wallet.operations.tracking import retry_until_included

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("TANGLEHUB_FAULT_ROUNDS", "5"))
"""Sends and syncs each (CI-sized by default)."""
ADDRESSES = 1_000
FLAKY = {"errorRate": 0.3, "dropRate": 0.1, "seed": 12}
EXTERNAL = Ed25519Address(blake2b256(b"somebody else")).to_bech32("tst")


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetProcess]:
    yield from faulty_devnet(tmp_path_factory.mktemp("devnet"))


async def _create(path: Path, pool: NodePool) -> Wallet:
    """A new wallet (generated mnemonic, fast KDF) on ``pool``."""
    return await Wallet.create(
        path, password=PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=pool, kdf=KdfParams.MINIMUM, idle_timeout=None
    )


async def _ledger_view(devnet: DevnetProcess, wallet: Wallet) -> tuple[set[bytes], int]:
    """(unspent output ids, their total) of every wallet address, as the devnet's indexer and ledger say."""
    account = await wallet.get_account("main")
    ids: set[bytes] = set()
    async with NodeClient(devnet.url) as node:
        for address in await account.addresses():
            ids.update(await node.all_output_ids(OutputQuery(unlockable_by_address=address.bech32)))
        total = sum(r.output.amount for r in await node.get_outputs(sorted(ids)))
    return ids, total


async def test_sends_and_syncs_complete_at_30_percent_errors_and_10_percent_drops(
    devnet: DevnetProcess, tmp_path: Path
) -> None:
    pool = NodePool([devnet.url], max_milestone_age=None)
    wallet = await _create(tmp_path / "w", pool)
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(ADDRESSES - 1)
        addresses = await account.addresses(internal=False)
        for a in (addresses[0], addresses[500], addresses[-1]):
            devnet.faucet(a.bech32)
        devnet.wait_milestones(2)
        devnet.set_faults(FLAKY)
        modes = [SyncOptions(SyncMode.LEDGER), SyncOptions(SyncMode.INDEXER)]
        await wallet.sync(modes[1])
        for i in range(ROUNDS):
            rec = await send(account, 1_000_000 + i, EXTERNAL)
            done = await retry_until_included(account, rec.tx_id, interval=0.25, max_attempts=400)
            assert done.state == "confirmed"
            await wallet.sync(modes[i % 2])
        devnet.set_faults(CALM)
        devnet.wait_milestones(1)
        await wallet.sync(modes[0])
        ledger_ids, ledger_total = await _ledger_view(devnet, wallet)
        assert {r.output_id for r in await account.unspent_outputs()} == ledger_ids
        assert (await account.balance()).base_coin.total == ledger_total
        assert ledger_total == 3 * FAUCET_AMOUNT - sum(1_000_000 + i for i in range(ROUNDS))
    finally:
        devnet.set_faults(CALM)
        await wallet.close()
        await pool.aclose()


async def test_interrupted_indexer_sync_resumes_instead_of_starting_over(
    devnet: DevnetProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every address queried (the devnet's ledger is smaller than the wallet: a first sync would list it once)
    monkeypatch.setattr(sync_indexer, "GLOBAL_SCAN_MIN_ADDRESSES", sys.maxsize)
    pool = NodePool([devnet.url], max_milestone_age=None, max_retries=0)
    wallet = await _create(tmp_path / "w", pool)
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(2 * 500 + 199)
        addresses = await account.addresses(internal=False)
        for a in (addresses[3], addresses[700], addresses[1100]):
            devnet.faucet(a.bech32)
        devnet.wait_milestones(2)
        indexer = SyncOptions(SyncMode.INDEXER, internal=False)
        seen: list[str] = []
        resumed = False
        stop_at = 650  # address queries before the node "goes away" (inside the second chunk)
        original = pool.call

        async def failing_call(fn: Any) -> Any:
            seen.append("call")
            if len(seen) == stop_at and not resumed:
                devnet.set_faults({"errorRate": 1.0})
            return await original(fn)

        pool.call = failing_call  # type: ignore[method-assign]
        with pytest.raises(Exception, match="503"):
            await wallet.sync(indexer)
        devnet.set_faults(CALM)
        first_run = len(seen)
        stored = await wallet.store.read(lambda tx: tx.get_meta(indexer_progress_key(account.index)))
        assert stored is not None
        assert '"public": 500' in stored
        seen.clear()
        resumed = True
        result = await wallet.sync(indexer)
        second_run = len(seen)
        assert second_run < len(addresses) - 400  # the first chunk of 500 addresses is not queried again
        unspent = {r.output_id for r in await account.unspent_outputs()}
        ledger_ids, _ = await _ledger_view(devnet, wallet)
        assert unspent == ledger_ids
        assert len(unspent) == 3
        assert result is not None
        print(f"requests: interrupted run {first_run}, resumed run {second_run}, addresses {len(addresses)}")
    finally:
        devnet.set_faults(CALM)
        await wallet.close()
        await pool.aclose()
