"""Indexer sync after the first: the addresses the last completed sync covered are brought up to date from the
milestones confirmed since (their ``utxo-changes`` and the transactions that created outputs), when that costs
fewer requests than querying them; otherwise, and when the node does not serve that history, they are queried
as before. Whatever the path, the wallet ends with the same outputs as a full query would give it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet, address_of, private_key_of, wallet_through

from tanglehub.node import NodeRejected, OutputQuery
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations import sync_indexer

INDEXER = SyncOptions(SyncMode.INDEXER, internal=False)
FOREIGN = Ed25519Address(bytes(range(32)))


class RequestLog(httpx.AsyncBaseTransport):
    """Calls the devnet app in-process, keeps each request's path and query, and can change answers."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.refuse: Callable[[str], bool] = lambda path: False
        self.indexer_lag = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.requests.append((path, dict(request.url.params)))
        if self.refuse(path):
            body = {"error": {"code": "403", "message": "route not public"}}
            return httpx.Response(403, json=body)
        response = await self.inner.handle_async_request(request)
        if self.indexer_lag and path.startswith("/api/indexer/"):
            await response.aread()
            data = json.loads(response.content)
            data["ledgerIndex"] -= self.indexer_lag
            return httpx.Response(response.status_code, json=data)
        return response

    def paths(self, prefix: str) -> list[str]:
        """Paths of the requests made since the last ``clear`` that start with ``prefix``."""
        return [p for p, _ in self.requests if p.startswith(prefix)]

    def indexer_queries(self) -> dict[str, dict[str, str]]:
        """Address (or "" for a ledger-wide listing) -> query parameters of the indexer queries made."""
        return {q.get("unlockableByAddress", ""): q for p, q in self.requests if p == "/api/indexer/v1/outputs"}


async def logged_wallet(devnet: Devnet, path: Path) -> tuple[Wallet, RequestLog]:
    """A new wallet of the test mnemonic in ``path`` whose node requests go through a :class:`RequestLog`."""
    log = RequestLog(devnet.transport_factory(devnet.url))
    return await wallet_through(devnet, path, log), log


async def _cursor(wallet: Wallet) -> dict[str, int]:
    key = sync_indexer.indexer_cursor_key(0)
    stored = await wallet.store.read(lambda tx: tx.get_meta(key))
    assert stored
    data: dict[str, int] = json.loads(stored)
    return data


async def test_covered_addresses_follow_the_milestones_since_the_last_sync(devnet: Devnet, tmp_path: Path) -> None:
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(3)
        a0, a1, a2, _ = [a.bech32 for a in await account.addresses(internal=False)]
        await devnet.faucet(a0)
        await devnet.faucet(a1)
        first_milestone = await devnet.milestone()
        first = await wallet.sync(INDEXER)
        assert len(first.new_output_ids) == 2
        assert (await _cursor(wallet))["ledgerIndex"] == first_milestone

        # a0's output is spent elsewhere (same mnemonic, another wallet), a1 and a2 are paid
        (held,) = devnet.unspent_of(address_of(private_key_of(MNEMONIC, 0, 0)))
        spend_tx = await devnet.transact(
            private_key_of(MNEMONIC, 0, 0),
            [held],
            [BasicOutput(devnet.faucet_amount, (AddressUnlockCondition(FOREIGN),))],
        )
        await devnet.faucet(a1)
        await devnet.faucet(a2)
        last = await devnet.milestone()
        log.requests.clear()

        second = await wallet.sync(INDEXER)

        assert log.indexer_queries() == {}  # no address was queried
        assert len(log.paths("/api/core/v2/milestones/")) >= 2  # the two milestones' changes
        assert len(second.new_output_ids) == 2
        assert second.spent_output_ids == (held,)
        stored = {r.output_id: r for r in await account.outputs()}
        assert stored[held].spent
        assert stored[held].spent_tx_id == spend_tx
        unspent = await account.unspent_outputs()
        hash_of = {a.bech32: a.hash for a in await account.addresses(internal=False)}
        assert sorted(r.address_hash for r in unspent) == sorted([hash_of[a1], hash_of[a1], hash_of[a2]])
        assert sum(r.amount for r in unspent) == 3 * devnet.faucet_amount
        assert {r.booked_index for r in unspent if r.output_id in second.new_output_ids} == {last}
        assert (await _cursor(wallet))["ledgerIndex"] == last
    finally:
        await wallet.close()


async def test_no_new_milestone_asks_nothing_about_the_covered_addresses(devnet: Devnet, tmp_path: Path) -> None:
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await devnet.fund((await account.addresses(internal=False))[0].bech32)
        await wallet.sync(INDEXER)
        log.requests.clear()
        again = await wallet.sync(INDEXER)
        assert not again.changed
        assert log.indexer_queries() == {}
        assert not any(path.endswith("/utxo-changes") for path, _ in log.requests)
        assert len(await account.unspent_outputs()) == 1
    finally:
        await wallet.close()


async def test_addresses_generated_since_are_queried_the_others_follow_milestones(
    devnet: Devnet, tmp_path: Path
) -> None:
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(2)
        a0 = (await account.addresses(internal=False))[0].bech32
        await devnet.fund(a0)
        await wallet.sync(INDEXER)
        later = address_of(private_key_of(MNEMONIC, 0, 3)).to_bech32("tst")
        await devnet.faucet(later)  # paid before the wallet knows the address
        await devnet.faucet(a0)
        await devnet.milestone()
        (generated,) = await account.generate_addresses(1)
        assert generated.bech32 == later
        log.requests.clear()
        result = await wallet.sync(INDEXER)
        assert set(log.indexer_queries()) == {later}
        assert "createdAfter" not in log.indexer_queries()[later]  # never queried before: a full query
        assert len(result.new_output_ids) == 2
        assert sum(r.amount for r in await account.unspent_outputs()) == 3 * devnet.faucet_amount
    finally:
        await wallet.close()


@pytest.mark.parametrize("why", ["refused", "more transactions than addresses", "too many milestones"])
async def test_the_addresses_are_queried_when_milestones_cost_more_or_are_not_served(
    devnet: Devnet, tmp_path: Path, why: str
) -> None:
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(3)
        addresses = [a.bech32 for a in await account.addresses(internal=False)]
        await devnet.fund(addresses[0])
        await wallet.sync(INDEXER)
        if why == "refused":
            log.refuse = lambda path: path.endswith("/utxo-changes")
            await devnet.fund(addresses[1])
        elif why == "more transactions than addresses":  # 5 faucet transactions, 4 covered addresses
            for i in range(5):
                await devnet.faucet(addresses[i % 4])
            await devnet.milestone()
        else:  # 3 milestones for 4 covered addresses: more than one per two addresses
            for i in range(3):
                await devnet.fund(addresses[i + 1])
        log.requests.clear()
        result = await wallet.sync(INDEXER)
        assert set(log.indexer_queries()) >= set(addresses)  # every address queried
        paid = {"refused": 1, "more transactions than addresses": 5, "too many milestones": 3}[why]
        assert len(result.new_output_ids) == paid
        assert sum(r.amount for r in await account.unspent_outputs()) == (1 + paid) * devnet.faucet_amount
    finally:
        await wallet.close()


async def test_an_indexer_behind_the_node_moves_the_next_start_back(devnet: Devnet, tmp_path: Path) -> None:
    """The next sync reads from the ledger index the indexer answered at, not from the node's confirmed
    milestone: an output the lagging indexer did not list yet is found in the milestones after it."""
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(3)  # enough covered addresses to read milestones for
        a0 = (await account.addresses(internal=False))[0].bech32
        await devnet.fund(a0)
        await wallet.sync(INDEXER)
        await devnet.faucet(a0)
        confirmed = await devnet.milestone()
        # the indexer claims to be one milestone behind and does not list the new output yet
        log.indexer_lag = 1
        log.refuse = lambda path: path.endswith("/utxo-changes")  # force the queries
        (old,) = [r.output_id for r in await account.unspent_outputs()]
        real_unspent = devnet.unspent_of(address_of(private_key_of(MNEMONIC, 0, 0)))
        new = next(o for o in real_unspent if o != old)
        original = log.inner

        class HideNew(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                response = await original.handle_async_request(request)
                if request.url.path == "/api/indexer/v1/outputs":
                    await response.aread()
                    data = json.loads(response.content)
                    data["items"] = [i for i in data["items"] if i != "0x" + new.hex()]
                    return httpx.Response(response.status_code, json=data)
                return response

        log.inner = HideNew()
        missed = await wallet.sync(INDEXER)
        assert missed.new_output_ids == ()
        assert (await _cursor(wallet))["ledgerIndex"] == confirmed - 1

        log.inner, log.indexer_lag = original, 0
        log.refuse = lambda path: False
        log.requests.clear()
        found = await wallet.sync(INDEXER)
        assert log.indexer_queries() == {}  # from the milestones after the lagging index
        assert found.new_output_ids == (new,)
        assert (await _cursor(wallet))["ledgerIndex"] == confirmed
    finally:
        await wallet.close()


async def test_a_first_sync_lists_a_small_ledger_once_instead_of_querying_every_address(
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
        await devnet.faucet(addresses[7])
        await devnet.milestone()
        ledger_outputs = len(await wallet.node.all_output_ids(OutputQuery(created_after=0)))
        assert ledger_outputs < len(addresses)  # the devnet's ledger is smaller than the wallet
        log.requests.clear()
        first = await wallet.sync(INDEXER)
        assert set(log.indexer_queries()) == {""}  # one listing, no address queried
        assert "createdAfter" in log.indexer_queries()[""]
        assert len(first.new_output_ids) == 3
        hash_of = {a.bech32: a.hash for a in await account.addresses(internal=False)}
        unspent = await account.unspent_outputs()
        assert sorted(r.address_hash for r in unspent) == sorted(
            [hash_of[addresses[2]], *[hash_of[addresses[7]]] * 2]
        )
    finally:
        await wallet.close()


async def test_a_first_sync_queries_every_address_when_the_ledger_is_larger_than_the_wallet(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_indexer, "GLOBAL_SCAN_MIN_ADDRESSES", 2)
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(2)
        addresses = [a.bech32 for a in await account.addresses(internal=False)]
        for _ in range(4):  # the faucet's payments to others make the ledger larger than 3 addresses
            await devnet.faucet(FOREIGN.to_bech32("tst"))
        await devnet.faucet(addresses[1])
        await devnet.milestone()
        log.requests.clear()
        first = await wallet.sync(INDEXER)
        assert set(log.indexer_queries()) >= set(addresses)
        assert len(first.new_output_ids) == 1
    finally:
        await wallet.close()


async def test_a_listing_that_holds_the_genesis_output_reads_it_by_id(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The genesis snapshot's output was created by no transaction (its transaction id is zero): it is read
    by its output id, not through an included block the node does not have."""
    monkeypatch.setattr(sync_indexer, "GLOBAL_SCAN_MIN_ADDRESSES", 2)
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(3)
        listed = await wallet.node.all_output_ids(OutputQuery(created_after=0))
        assert any(oid[:32] == bytes(32) for oid in listed)  # the faucet has not spent the genesis output yet
        log.requests.clear()
        first = await wallet.sync(INDEXER)
        assert set(log.indexer_queries()) == {""}
        assert first.new_output_ids == ()
        assert f"/api/core/v2/outputs/0x{bytes(32).hex()}0000" in log.paths("/api/core/v2/outputs/")
    finally:
        await wallet.close()


async def test_an_interrupted_sync_records_the_ledger_index_its_answers_were_at(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress of a sync cut short names the lagging indexer's ledger index, not the node's: the resumed
    sync reads the milestones from there for the addresses already done."""
    monkeypatch.setattr(sync_indexer, "CHUNK_ADDRESSES", 2)
    wallet, log = await logged_wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(3)
        addresses = [a.bech32 for a in await account.addresses(internal=False)]
        await devnet.faucet(addresses[0])
        confirmed = await devnet.milestone()
        log.indexer_lag = 1
        queried: list[str] = []

        def refuse_after_first_chunk(path: str) -> bool:
            if path == "/api/indexer/v1/outputs":
                queried.append(path)
                return len(queried) > 2
            return False

        log.refuse = refuse_after_first_chunk
        with pytest.raises(NodeRejected):
            await wallet.sync(INDEXER)
        key = sync_indexer.indexer_progress_key(0)
        progress = json.loads(await wallet.store.read(lambda tx: tx.get_meta(key)) or "{}")
        assert (progress["public"], progress["internal"]) == (2, 0)
        assert progress["ledgerIndex"] == confirmed - 1

        log.refuse, log.indexer_lag = (lambda path: False), 0
        await wallet.sync(INDEXER)
        assert sum(r.amount for r in await account.unspent_outputs()) == devnet.faucet_amount
    finally:
        await wallet.close()
