"""Acceptance: the official iota-sdk 1.1.4 Client and Wallet drive the devnet over real HTTP, unchanged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

iota_sdk = pytest.importorskip("iota_sdk")

import httpx  # noqa: E402
from iota_sdk import (  # noqa: E402
    Client,
    ClientOptions,
    CoinType,
    MnemonicSecretManager,
    SyncOptions,
    Utils,
    Wallet,
)
from tests.devnet_process import FAUCET_AMOUNT, Devnet  # noqa: E402

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    net = Devnet(tmp_path_factory.mktemp("devnet"))
    yield net
    net.stop()


def _wallet(tmp: Path, url: str, name: str) -> Wallet:
    mnemonic = Utils.generate_mnemonic()
    return Wallet(
        str(tmp / name),
        ClientOptions(nodes=[url]),
        CoinType.SHIMMER,
        MnemonicSecretManager(mnemonic),
    )


def _wait_balance(account, want: int, options=None, timeout: float = 20.0) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    total = -1
    while time.monotonic() < deadline:
        total = int(account.sync(options).baseCoin.total)
        if total == want:
            return total
        time.sleep(0.3)
    return total


def test_client_reads_node_info_and_health(devnet: Devnet) -> None:
    issued = devnet.milestone()  # so the info names a milestone with a timestamp
    client = Client(nodes=[devnet.url])
    info = client.get_info().nodeInfo
    assert info.protocol.bech32Hrp == "tst"
    assert info.protocol.networkName == "tanglehub-devnet"
    assert info.status.isHealthy is True
    latest = info.status.latestMilestone
    assert latest.index >= issued
    assert latest.timestamp is not None
    assert abs(latest.timestamp - time.time()) < 10
    assert client.get_health(devnet.url) is True
    from tanglehub.protocol.ids import network_id

    assert int(client.get_network_id()) == network_id("tanglehub-devnet")


def test_faucet_wallet_sync_send_and_inclusion(devnet: Devnet, tmp_path: Path) -> None:
    wallet_a = _wallet(tmp_path, devnet.url, "a")
    wallet_b = _wallet(tmp_path, devnet.url, "b")
    account_a = wallet_a.create_account("alice")
    account_b = wallet_b.create_account("bob")
    address_a = account_a.addresses()[0].address
    address_b = account_b.addresses()[0].address
    assert address_a.startswith("tst1")

    client = Client(nodes=[devnet.url])
    client.request_funds_from_faucet(f"{devnet.url}/api/plugins/faucet/v1/enqueue", address_a)
    assert _wait_balance(account_a, FAUCET_AMOUNT) == FAUCET_AMOUNT

    tx = account_a.send(str(1_000_000), address_b)
    block_id = account_a.retry_transaction_until_included(tx.transactionId, 1, 30)
    assert block_id.startswith("0x")
    metadata = client.get_block_metadata(block_id)
    assert metadata.ledgerInclusionState == "included"

    incoming = SyncOptions(sync_incoming_transactions=True)
    assert _wait_balance(account_b, 1_000_000, incoming) == 1_000_000
    assert _wait_balance(account_a, FAUCET_AMOUNT - 1_000_000) == FAUCET_AMOUNT - 1_000_000

    # Incoming transaction sync needs the included-block route and consistent ids.
    assert account_b.incoming_transactions()

    included = client.get_included_block(tx.transactionId)
    assert included.payload is not None
    output_id = account_b.unspent_outputs()[0].outputId
    with_meta = client.get_output(output_id)
    assert int(with_meta.output.amount) == 1_000_000
    assert with_meta.metadata.isSpent is False
    ms_index = with_meta.metadata.milestoneIndexBooked
    milestone = client.get_milestone_by_index(ms_index)
    assert milestone.index == ms_index
    changes = client.get_utxo_changes_by_index(ms_index)
    assert output_id in changes.createdOutputs
    assert client.get_utxo_changes_by_id(client.get_info().nodeInfo.status.latestMilestone.milestoneId)
    raw = client.get_milestone_by_index_raw(ms_index)
    assert bytes(raw)[:4] == (7).to_bytes(4, "little")


def test_client_builds_and_posts_a_tagged_data_block(devnet: Devnet) -> None:
    client = Client(nodes=[devnet.url])
    block_id, _block = client.build_and_post_block(tag="0x" + b"tanglehub".hex(), data="0x01")
    fetched = client.get_block_data(block_id)
    assert fetched.payload is not None
    raw = bytes(client.get_block_raw(block_id))
    assert Utils.block_id(fetched) == block_id
    assert len(raw) > 40
    deadline = time.monotonic() + 10
    state = None
    while time.monotonic() < deadline:
        state = client.get_block_metadata(block_id).ledgerInclusionState
        if state is not None:
            break
        time.sleep(0.2)
    assert state == "noTransaction"


def test_wallet_reattaches_a_held_block(devnet: Devnet, tmp_path: Path) -> None:
    wallet = _wallet(tmp_path, devnet.url, "c")
    account = wallet.create_account("carol")
    address = account.addresses()[0].address
    httpx.post(f"{devnet.url}/api/plugins/faucet/v1/enqueue", json={"address": address})
    assert _wait_balance(account, FAUCET_AMOUNT) == FAUCET_AMOUNT
    httpx.post(f"{devnet.url}/api/devnet/v1/faults", json={"holdNextBlocks": 1})
    tx = account.send(str(2_000_000), address)
    included = account.retry_transaction_until_included(tx.transactionId, 1, 30)
    assert included != tx.blockId
    meta = httpx.get(f"{devnet.url}/api/core/v2/blocks/{included}/metadata").json()
    assert meta["ledgerInclusionState"] == "included"
    held = httpx.get(f"{devnet.url}/api/core/v2/blocks/{tx.blockId}/metadata").json()
    assert held["shouldReattach"] is True
