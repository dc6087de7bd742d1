"""Indexer sync after the first, when the addresses are queried (not brought up to date from the milestones
since the last sync: ``MAX_CATCH_UP_MILESTONES`` is 0 here, see test_sync_indexer_milestones.py):
``createdAfter`` only for addresses that hold nothing and were covered by the last completed sync; addresses
that hold outputs and addresses generated since get a full query."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet, address_of, private_key_of, wallet_through

from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations import sync_indexer

INDEXER = SyncOptions(SyncMode.INDEXER, internal=False)


@pytest.fixture(autouse=True)
def _queries_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Covered addresses are queried, whatever the milestones since the last sync would cost."""
    monkeypatch.setattr(sync_indexer, "MAX_CATCH_UP_MILESTONES", 0)


class QueryLog(httpx.AsyncBaseTransport):
    """Calls the devnet app in-process and keeps the query parameters of each indexer request by address."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.queries: dict[str, dict[str, str]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/indexer/v1/outputs":
            params = dict(request.url.params)
            self.queries[params.get("unlockableByAddress", "")] = params
        return await self.inner.handle_async_request(request)


async def _logged_wallet(devnet: Devnet, tmp_path: Path) -> tuple[Wallet, QueryLog]:
    """A new wallet (test mnemonic) whose node requests go through a :class:`QueryLog`."""
    log = QueryLog(devnet.transport_factory(devnet.url))
    return await wallet_through(devnet, tmp_path / "w", log), log


async def test_created_after_only_where_nothing_can_be_missed(devnet: Devnet, tmp_path: Path) -> None:
    wallet, log = await _logged_wallet(devnet, tmp_path)
    try:
        account = await wallet.create_account("main")
        a0, a1, a2 = [a.bech32 for a in await account.addresses(internal=False)] + [
            a.bech32 for a in await account.generate_addresses(2)
        ]
        later = address_of(private_key_of(MNEMONIC, 0, 3)).to_bech32("tst")  # key index 3: not generated yet
        await devnet.faucet(a1)
        await devnet.faucet(later)  # paid before the wallet knows the address
        await devnet.milestone()
        first = await wallet.sync(INDEXER)
        assert len(first.new_output_ids) == 1
        assert all("createdAfter" not in q for q in log.queries.values())  # no cursor yet: full queries

        await devnet.faucet(a2)
        await devnet.milestone()
        log.queries.clear()
        second = await wallet.sync(INDEXER)
        assert len(second.new_output_ids) == 1
        assert "createdAfter" in log.queries[a0]  # holds nothing: only what is new
        assert "createdAfter" in log.queries[a2]  # and the new deposit is found that way
        assert "createdAfter" not in log.queries[a1]  # holds an output: full query, to see it spent

        (generated,) = await account.generate_addresses(1)
        assert generated.bech32 == later
        log.queries.clear()
        third = await wallet.sync(INDEXER)
        assert "createdAfter" not in log.queries[later]  # never queried before: full query
        assert len(third.new_output_ids) == 1  # the old payment to it is found
        assert sum(o.amount for o in await account.unspent_outputs()) == 3 * devnet.faucet_amount
    finally:
        await wallet.close()


async def test_one_ledger_wide_listing_replaces_the_queries_of_empty_addresses(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_indexer, "GLOBAL_SCAN_MIN_ADDRESSES", 2)
    wallet, log = await _logged_wallet(devnet, tmp_path)
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(4)
        _, a1, _, a3, _ = [a.bech32 for a in await account.addresses(internal=False)]
        await devnet.faucet(a1)
        await devnet.milestone()
        await wallet.sync(INDEXER)
        await devnet.faucet(a3)
        await devnet.faucet(address_of(private_key_of(MNEMONIC, 0, 40)).to_bech32("tst"))  # not generated
        await devnet.milestone()
        log.queries.clear()
        result = await wallet.sync(INDEXER)
        assert set(log.queries) == {a1, ""}  # the holder by address, the rest through one listing
        assert "createdAfter" in log.queries[""]
        assert len(result.new_output_ids) == 1
        stored = {r.output_id: r for r in await account.unspent_outputs()}
        assert {r.address_hash for r in stored.values()} == {
            a.hash for a in await account.addresses(internal=False) if a.bech32 in (a1, a3)
        }
        assert sum(r.amount for r in stored.values()) == 2 * devnet.faucet_amount
    finally:
        await wallet.close()
