"""Acceptance (review 1, finding 6): against a flaky node (30% 503 answers, 10% dropped connections) every
``Wallet.open`` with just a node URL (the pool the CLI gets: default retry policy, nothing tuned), every sync
in both modes and every send completes, first time; afterwards the wallet's view equals the ledger's.

A devnet runs as a child process (real HTTP, a milestone every 0.25 s) with its fault switches on (``POST
/api/devnet/v1/faults``, seeded). Each round opens the wallet, syncs in ledger mode and in indexer mode, sends
to an outside address and closes the wallet (the next open follows the pending send). With the faults off,
the wallet's unspent outputs and balance must equal what the devnet's ledger holds for its addresses, and no
transaction may be left pending.

``TANGLEHUB_FLAKY_OPENS`` sets the rounds (default 6 for CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.faults.harness import CALM, FAUCET_AMOUNT, PASSWORD, DevnetProcess, faulty_devnet

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.node import NodeClient, OutputQuery
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import blake2b256
from tanglehub.vault import KdfParams
from tanglehub.wallet import SyncMode, SyncOptions, Wallet

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("TANGLEHUB_FLAKY_OPENS", "6"))
FLAKY = {"errorRate": 0.3, "dropRate": 0.1, "seed": 6}
EXTERNAL = Ed25519Address(blake2b256(b"review 1 finding 6 recipient")).to_bech32("tst")
AMOUNT = 1_000_000


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevnetProcess]:
    yield from faulty_devnet(tmp_path_factory.mktemp("devnet"))


async def test_open_syncs_and_sends_complete_on_a_flaky_node(devnet: DevnetProcess, tmp_path: Path) -> None:
    path = tmp_path / "w"
    wallet = await Wallet.create(
        path, password=PASSWORD, coin_type=SHIMMER_COIN_TYPE, node_urls=[devnet.url], kdf=KdfParams.MINIMUM
    )
    try:
        account = await wallet.create_account("hot")
        for _ in range(ROUNDS):  # one output per send: a send need not wait for the one before
            devnet.faucet((await account.addresses())[0].bech32)
        devnet.wait_milestones(2)
        await wallet.sync()
    finally:
        await wallet.close()

    devnet.set_faults(FLAKY)
    try:
        for _ in range(ROUNDS):
            wallet = await Wallet.open(path, password=PASSWORD, node_urls=[devnet.url])
            try:
                await wallet.sync(SyncOptions(SyncMode.LEDGER))
                await wallet.sync(SyncOptions(SyncMode.INDEXER))
                account = await wallet.get_account("hot")
                await account.send(AMOUNT, EXTERNAL)
            finally:
                await wallet.close()
    finally:
        devnet.set_faults(CALM)

    devnet.wait_milestones(2)
    wallet = await Wallet.open(path, password=PASSWORD, node_urls=[devnet.url])
    try:
        account = await wallet.get_account("hot")
        for rec in await account.pending_transactions():
            await account.retry_until_included(rec.tx_id, interval=0.25, max_attempts=80)
        await wallet.sync()
        ids: set[bytes] = set()
        async with NodeClient(devnet.url) as node:
            for address in await account.addresses():
                ids.update(await node.all_output_ids(OutputQuery(unlockable_by_address=address.bech32)))
            ledger_total = sum(r.output.amount for r in await node.get_outputs(sorted(ids)))
        assert ledger_total == ROUNDS * (FAUCET_AMOUNT - AMOUNT)
        assert {r.output_id for r in await account.unspent_outputs()} == ids
        assert (await account.balance()).base_coin.total == ledger_total
        assert await account.pending_transactions() == []
    finally:
        await wallet.close()
