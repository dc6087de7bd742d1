"""The send contract (issue 7, section 1): once a transaction is signed the caller always learns its id, and
an error always means nothing was signed, for every signing path (send, send_many, send_outputs,
claim_outputs, consolidate_outputs). The network between the wallet and the in-process devnet drops the
connections chosen by the test (an httpx transport that raises ``ConnectError``, as a dropped connection does).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tests.wallet_fixtures import MNEMONIC, PASSWORD, Devnet

from tanglehub.errors import NodeError, TanglehubError
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.node import NodePool
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import blake2b256
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.vault import KdfParams
from tanglehub.wallet import Account, InsufficientFundsError, TransactionOptions, Wallet
from tanglehub.wallet.operations.transaction import NOTHING_SIGNED, is_nothing_signed
from tanglehub.wallet.storage_schema import TransactionRecord

EXTERNAL = Ed25519Address(blake2b256(b"issue 7 contract recipient"))


@dataclass
class Network:
    """Which requests the wallet's connection to the node drops."""

    drop_all: bool = False
    drop_block_posts: bool = False
    dropped: int = 0


class DroppingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, network: Network) -> None:
        self.inner = inner
        self.network = network

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        posting = request.method == "POST" and request.url.path == "/api/core/v2/blocks"
        if self.network.drop_all or (self.network.drop_block_posts and posting):
            self.network.dropped += 1
            raise httpx.ConnectError("connection dropped (test network)", request=request)
        return await self.inner.handle_async_request(request)


async def _wallet(devnet: Devnet, directory: Path, network: Network, mnemonic: str | None = None) -> Wallet:
    pool = NodePool(
        [devnet.url],
        transport_factory=lambda url: DroppingTransport(devnet.transport_factory(url), network),
        max_milestone_age=None,
        backoff=0.0,
        max_backoff=0.0,
        cooldown=0.0,
    )
    devnet.pools.append(pool)
    wallet = await Wallet.create(
        directory,
        password=PASSWORD,
        coin_type=SHIMMER_COIN_TYPE,
        pool=pool,
        mnemonic=mnemonic,
        kdf=KdfParams.MINIMUM,
        idle_timeout=None,
    )
    await wallet.create_account("main")
    return wallet


async def _funded(devnet: Devnet, wallet: Wallet, times: int) -> Account:
    account = await wallet.get_account("main")
    await devnet.fund((await account.addresses(internal=False))[0].bech32, times)
    await account.sync()
    return account


def _paid_to_external(devnet: Devnet) -> list[int]:
    return sorted(devnet.node.output(oid).output.amount for oid in devnet.unspent_of(EXTERNAL))


async def _stored(account: Account) -> tuple[list[TransactionRecord], int]:
    index = account.index
    return await account.wallet.store.read(
        lambda tx: (tx.transactions(index), len([r for r in tx.reservations() if r.account_index == index]))
    )


async def test_a_send_whose_block_cannot_be_posted_returns_its_pending_record(
    devnet: Devnet, tmp_path: Path
) -> None:
    network = Network()
    wallet = await _wallet(devnet, tmp_path / "w", network)
    try:
        account = await _funded(devnet, wallet, 1)
        network.drop_block_posts = True
        record = await account.send(1_000_000, EXTERNAL.to_bech32("tst"))
        assert network.dropped >= 1
        assert record.state == "pending"
        (stored,), reserved = await _stored(account)
        assert stored.tx_id == record.tx_id
        assert reserved == 1  # its input stays reserved: the next send cannot spend it again
        await devnet.milestone()
        assert _paid_to_external(devnet) == []  # the block never reached the node
        network.drop_block_posts = False
        await account.sync_pending_transactions()  # tracking posts the same payload
        await devnet.milestone()
        done = await account.retry_until_included(record.tx_id, interval=0.0, max_attempts=1)
        assert done.state == "confirmed"
        assert _paid_to_external(devnet) == [1_000_000]  # paid exactly once, by the returned transaction
    finally:
        await wallet.close()


async def test_an_error_before_signing_says_nothing_was_signed(devnet: Devnet, tmp_path: Path) -> None:
    network = Network()
    wallet = await _wallet(devnet, tmp_path / "w", network)
    try:
        account = await _funded(devnet, wallet, 1)
        network.drop_all = True
        calls: list[Callable[[], Awaitable[object]]] = [
            lambda: account.send(1_000_000, EXTERNAL.to_bech32("tst")),
            lambda: account.send_many([(EXTERNAL.to_bech32("tst"), 1_000_000)]),
            lambda: account.send_outputs([BasicOutput(1_000_000, (AddressUnlockCondition(EXTERNAL),))]),
            lambda: account.consolidate_outputs(threshold=2),
        ]
        for call in calls[:3]:
            with pytest.raises(NodeError) as info:
                await call()
            assert is_nothing_signed(info.value)
            assert NOTHING_SIGNED in str(info.value)
        network.drop_all = False
        for bad in (
            lambda: account.send(10**15, EXTERNAL.to_bech32("tst")),
            lambda: account.send(1_000_000, "tst1 not an address"),
            lambda: account.send(1_000_000, EXTERNAL.to_bech32("tst"), options="fast"),  # type: ignore[arg-type]
            lambda: account.consolidate_outputs(threshold=1),
            lambda: account.claim_outputs([b"\x01" * 34]),
        ):
            with pytest.raises(TanglehubError) as caught:
                await bad()
            assert is_nothing_signed(caught.value), caught.value
            assert str(caught.value).endswith(NOTHING_SIGNED)
        with pytest.raises(InsufficientFundsError, match="nothing was signed"):
            await account.send(10**15, EXTERNAL.to_bech32("tst"))
        assert await _stored(account) == ([], 0)  # nothing signed, nothing reserved
        assert _paid_to_external(devnet) == []
    finally:
        await wallet.close()


async def test_every_signing_path_returns_its_record_when_posting_fails(devnet: Devnet, tmp_path: Path) -> None:
    network = Network()
    wallet = await _wallet(devnet, tmp_path / "w", network, mnemonic=MNEMONIC)
    sender = await _wallet(devnet, tmp_path / "sender", network)
    try:
        account = await _funded(devnet, wallet, 6)
        micro_sender = await _funded(devnet, sender, 1)
        micro = await micro_sender.send(
            1_000, (await account.addresses())[0].bech32, TransactionOptions(allow_micro_amount=True)
        )
        await devnet.milestone()
        assert (await micro_sender.retry_until_included(micro.tx_id, interval=0.0, max_attempts=2)).state == (
            "confirmed"
        )
        await account.sync()

        network.drop_block_posts = True
        records = [
            await account.send(1_000_001, EXTERNAL.to_bech32("tst")),
            await account.send_many(
                [(EXTERNAL.to_bech32("tst"), 1_000_002), (EXTERNAL.to_bech32("tst"), 1_000_003)]
            ),
            await account.send_outputs([BasicOutput(1_000_004, (AddressUnlockCondition(EXTERNAL),))]),
        ]
        claimed = await account.claim_outputs()
        assert claimed is not None
        records.append(claimed)
        merged = await account.consolidate_outputs(threshold=2)
        assert len(merged) == 1
        records += merged
        assert all(r.state == "pending" for r in records)
        stored, _ = await _stored(account)
        assert {r.tx_id for r in stored} == {r.tx_id for r in records}
        assert _paid_to_external(devnet) == []

        network.drop_block_posts = False
        await wallet.close()
        # A restart posts every stored payload once; each pays exactly what its returned record says.
        again = await Wallet.open(tmp_path / "w", password=PASSWORD, pool=wallet.node, idle_timeout=None)
        try:
            assert set(again.last_recovery[0].resubmitted) | {p.tx_id for p in again.last_recovery[0].pending} >= {
                r.tx_id for r in records
            }
            await devnet.milestone()
            main = await again.get_account("main")
            for r in records:
                assert (
                    await main.retry_until_included(r.tx_id, interval=0.0, max_attempts=2)
                ).state == "confirmed"
        finally:
            await again.close()
        assert _paid_to_external(devnet) == [1_000_001, 1_000_002, 1_000_003, 1_000_004]
    finally:
        await wallet.close()
        await sender.close()
