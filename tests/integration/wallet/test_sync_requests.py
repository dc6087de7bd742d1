"""What ledger-mode sync asks the node: each new transaction once, nothing for outputs that are not ours."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
from tests.wallet_fixtures import MNEMONIC, Devnet, address_of, private_key_of, wallet_through

from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.wallet import SpentOutput, SyncMode, SyncOptions, Wallet

LEDGER = SyncOptions(SyncMode.LEDGER)


class CountingTransport(httpx.AsyncBaseTransport):
    """Calls the devnet app in-process and counts request paths by route shape."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.paths: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")
        shape = "/".join("{id}" if p.startswith("0x") or p.isdigit() else p for p in parts)
        self.paths[shape] += 1
        return await self.inner.handle_async_request(request)


async def _wallet(devnet: Devnet, tmp_path: Path) -> tuple[Wallet, CountingTransport]:
    counting = CountingTransport(devnet.transport_factory(devnet.url))
    wallet = await wallet_through(devnet, tmp_path / "w", counting)
    await wallet.create_account("main")
    return wallet, counting


async def test_ledger_sync_reads_each_transaction_once_and_skips_foreign_spends(
    devnet: Devnet, tmp_path: Path
) -> None:
    wallet, counting = await _wallet(devnet, tmp_path)
    try:
        account = await wallet.get_account("main")
        await wallet.sync(LEDGER)
        addresses = await account.generate_addresses(3)
        for a in addresses:  # three faucet transactions: a deposit + the faucet's remainder each
            await devnet.faucet(a.bech32)
        await devnet.milestone()
        counting.paths.clear()

        result = await wallet.sync(LEDGER)

        assert len(result.new_output_ids) == 3
        assert counting.paths["/api/core/v2/transactions/{id}/included-block"] == 3
        assert not [p for p in counting.paths if p.startswith("/api/core/v2/outputs")]
        stored = {r.output_id: r for r in await account.outputs()}
        assert set(stored) == set(result.new_output_ids)
        assert all(r.block_id is not None and r.booked_index > 0 for r in stored.values())

        spent_id = result.new_output_ids[0]
        owner = stored[spent_id].address_hash
        index = next(a.key_index for a in addresses if a.hash == owner)
        away = address_of(private_key_of(MNEMONIC, 9))
        out = BasicOutput(stored[spent_id].amount, (AddressUnlockCondition(away),))
        tx_id = await devnet.transact(private_key_of(MNEMONIC, 0, index), [spent_id], [out])
        counting.paths.clear()

        spent = await wallet.sync(LEDGER)

        assert spent.spent_output_ids == (spent_id,)
        assert counting.paths["/api/core/v2/transactions/{id}/included-block"] == 1
        assert not [p for p in counting.paths if p.startswith("/api/core/v2/outputs")]
        events = [d.event for d in await wallet.events.history(kinds=[SpentOutput])]
        assert [(e.output_id, e.spent_transaction_id) for e in events] == [(spent_id, tx_id)]
    finally:
        await wallet.close()
