"""Indexer-mode sync under faults and odd ownership, as a second review found them (each test failed on the
code it was written against).

1. The ledger-wide listing (first sync of many addresses, or many empty covered addresses) matches new outputs
   against the syncing account's EMPTY addresses only. An output to another account of the wallet (or to an
   address of this account that already holds outputs) whose expiration return address is one of those empty
   addresses is stored under the return address, in the syncing account, with a NewOutput event naming that
   account and address. Ledger mode, the milestone catch-up and the per-address queries all store it under
   its owner (the Address unlock condition comes first). A deposit processor crediting by account or address
   credits the sender's return address.
2. A spent output whose metadata the node does not answer (404) during a per-address sync rightly stays
   unspent (no proof), but the cursor moves past the milestone that spent it: every later sync that brings
   the covered addresses up to date from the milestones since never looks at it again, so the wallet keeps
   counting a spent output, whatever healthy node it syncs with.
3. An interrupted sync stores how many addresses it has done, counted in the list ordered public chain first;
   a public address generated before the resume is inserted before the internal ones and shifts that list:
   the resumed sync skips it, and the finished sync records it as covered (later queries ask only for outputs
   created since), so what it held before the interrupted sync is never found.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet, address_of, private_key_of, wallet_through

from tanglehub.node import NodeRejected
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.protocol.output.unlock_conditions import ExpirationUnlockCondition
from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations import sync_indexer

INDEXER = SyncOptions(SyncMode.INDEXER, internal=False)
OUTSIDER = (7, 0)
"""Account 7 of the test mnemonic: never created in these wallets, so an outside payer."""


class Faulty(httpx.AsyncBaseTransport):
    """Calls the devnet app in-process; ``not_found(path, params)`` answers 404 and ``refuse(path, params)`` 403
    for the requests it selects."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.not_found = lambda path, params: False
        self.refuse = lambda path, params: False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path, params = request.url.path, dict(request.url.params)
        if self.not_found(path, params):
            return httpx.Response(404, json={"error": {"code": "404", "message": "not found"}})
        if self.refuse(path, params):
            return httpx.Response(403, json={"error": {"code": "403", "message": "forbidden"}})
        return await self.inner.handle_async_request(request)


async def _wallet(devnet: Devnet, path: Path) -> tuple[Wallet, Faulty]:
    transport = Faulty(devnet.transport_factory(devnet.url))
    return await wallet_through(devnet, path, transport), transport


async def _outsider_pays(devnet: Devnet, outputs: list[BasicOutput]) -> bytes:
    """The outsider (funded by the faucet) pays ``outputs``, the rest back to itself; returns the tx id."""
    key = private_key_of(MNEMONIC, *OUTSIDER)
    await devnet.fund(address_of(key).to_bech32("tst"))
    (held,) = devnet.unspent_of(address_of(key))
    rest = devnet.faucet_amount - sum(o.amount for o in outputs)
    change = BasicOutput(rest, (AddressUnlockCondition(address_of(key)),))
    return await devnet.transact(key, [held], [*outputs, change])


async def test_the_ledger_wide_listing_stores_another_accounts_deposit_under_its_expiration_return_address(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_indexer, "GLOBAL_SCAN_MIN_ADDRESSES", 2)  # 64 in production: same path, fewer keys
    wallet, _ = await _wallet(devnet, tmp_path / "w")
    try:
        alice = await wallet.create_account("alice")
        bob = await wallet.create_account("bob")
        await alice.generate_addresses(3)
        alice_return = (await alice.addresses(internal=False))[2]
        bob_deposit = (await bob.addresses(internal=False))[0]
        await devnet.milestone()
        now = (await wallet.node.get_info()).status.confirmed_milestone.timestamp
        assert now is not None
        # bob is paid; the payer may take it back after an hour, to alice's address 2 (a micro payment
        # from alice to bob looks the same)
        expiring = BasicOutput(
            1_000_000,
            (
                AddressUnlockCondition(address_of(private_key_of(MNEMONIC, 1, 0))),
                ExpirationUnlockCondition(address_of(private_key_of(MNEMONIC, 0, 2)), now + 3600),
            ),
        )
        tx_id = await _outsider_pays(devnet, [expiring])

        await wallet.sync(INDEXER)  # alice's 4 empty addresses: one ledger-wide listing; bob: queried

        (record,) = [r for r in await bob.unspent_outputs() if r.output_id[:32] == tx_id]
        assert record.address_hash != alice_return.hash
        assert (record.account_index, record.address_hash) == (1, bob_deposit.hash)  # as ledger mode stores it
    finally:
        await wallet.close()


async def test_an_output_spent_while_its_metadata_was_not_served_is_marked_spent_by_a_later_healthy_sync(
    devnet: Devnet, tmp_path: Path
) -> None:
    wallet, transport = await _wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(3)  # 4 covered addresses: up to 2 milestones are caught up
        a0 = (await account.addresses(internal=False))[0]
        key0 = private_key_of(MNEMONIC, 0, 0)
        await devnet.fund(a0.bech32)
        await wallet.sync(INDEXER)
        (held,) = devnet.unspent_of(address_of(key0))

        outsider = address_of(private_key_of(MNEMONIC, *OUTSIDER))
        await devnet.transact(
            key0, [held], [BasicOutput(devnet.faucet_amount, (AddressUnlockCondition(outsider),))]
        )
        await devnet.milestone()
        await devnet.milestone()  # 3 milestones: the addresses are queried
        transport.not_found = lambda path, params: path.endswith("/metadata")  # a node that lost track of it
        await wallet.sync(INDEXER)  # no proof it was spent: it stays unspent (right, for now)
        transport.not_found = lambda path, params: False

        await devnet.milestone()
        await wallet.sync(INDEXER)  # healthy node, one milestone since: caught up from the milestones
        await wallet.sync(INDEXER)

        assert devnet.unspent_of(address_of(key0)) == []  # the ledger: spent
        assert held not in {r.output_id for r in await account.unspent_outputs()}
        assert sum(r.amount for r in await account.unspent_outputs()) == 0
    finally:
        await wallet.close()


async def test_a_public_address_generated_before_a_resume_is_not_skipped(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_indexer, "CHUNK_ADDRESSES", 2)  # 500 in production: same code, fewer keys
    wallet, transport = await _wallet(devnet, tmp_path / "w")
    try:
        account = await wallet.create_account("main")
        await account.generate_addresses(2)  # public 0..2
        await account.generate_addresses(3, internal=True)  # internal 0..2
        late = address_of(private_key_of(MNEMONIC, 0, 3))  # public 3: paid before the wallet stores it
        await devnet.fund(late.to_bech32("tst"))
        internal = await account.addresses(internal=True)
        # the first sync fails at the third chunk (internal addresses 1 and 2): 4 addresses done
        broken = {internal[1].bech32, internal[2].bech32}
        transport.refuse = lambda path, params: params.get("unlockableByAddress") in broken
        with pytest.raises(NodeRejected):
            await wallet.sync(SyncOptions(SyncMode.INDEXER))
        transport.refuse = lambda path, params: False
        progress = await wallet.store.read(lambda tx: tx.get_meta(sync_indexer.indexer_progress_key(0)))
        assert progress is not None
        done = json.loads(progress)
        assert (done["public"], done["internal"]) == (3, 1)  # public 0..2 and internal 0

        (generated,) = await account.generate_addresses(1)  # the operator hands out the next address
        assert generated.hash == late.pub_key_hash
        await wallet.sync(SyncOptions(SyncMode.INDEXER))  # resumes
        await wallet.sync(SyncOptions(SyncMode.INDEXER))

        assert sum(r.amount for r in await account.unspent_outputs()) == devnet.faucet_amount
    finally:
        await wallet.close()
