"""Sends reuse a recent node view (at most VIEW_MAX_AGE seconds old); its milestone time may be older than the
node's. Older only ever makes outputs look less spendable: a send never takes an output whose expiration has
passed since, nor one whose timelock has not; claims read a fresh view, and the expiration margin covers a
view as old as the cache allows."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.unit.node.conftest import info_json

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.node import NodeClient
from tanglehub.node.models import NodeInfo
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.rent import min_deposit_basic
from tanglehub.vault import MnemonicSigner
from tanglehub.wallet.operations.send import prepare_send
from tanglehub.wallet.operations.transaction import (
    AccountHandle,
    CustomAddress,
    InputNotUsableError,
    TransactionOptions,
    WalletHandle,
    prepare_transaction,
)
from tanglehub.wallet.operations.transaction.context import (
    VIEW_MAX_AGE,
    node_view,
    recent_node_view,
    remember_node_info,
)
from tanglehub.wallet.operations.transaction.select_inputs import EXPIRATION_MARGIN, candidate_for
from tanglehub.wallet.storage import WalletStore
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

MNEMONIC = (
    "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow "
    "glad autumn author calm heavy hawk abuse rally"
)
MIN = min_deposit_basic(DEVNET.rent_structure)
T = 1_800_000_000
"""The expiration and timelock time of the test outputs."""
SENDER = Ed25519Address(b"\x42" * 32)
PLAIN, EXPIRING, TIMELOCKED = (bytes([i]) * 32 + b"\x00\x00" for i in (1, 2, 3))


def info(timestamp: int) -> dict[str, Any]:
    """A devnet node's info JSON (the node tests' :data:`INFO` on :data:`DEVNET`'s parameters) whose latest and
    confirmed milestones are at ``timestamp``."""
    body = info_json(timestamp=timestamp)
    body["status"]["confirmedMilestone"]["timestamp"] = timestamp
    body["protocol"] = DEVNET.to_json()
    body["supportedProtocolVersions"] = [DEVNET.version]
    return body


class Node:
    """A node whose milestone time the test moves; counts the info requests."""

    def __init__(self, timestamp: int) -> None:
        self.timestamp = timestamp
        self.info_requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/core/v2/info"
        self.info_requests += 1
        return httpx.Response(200, json=info(self.timestamp))


async def make_account(tmp_path: Path, node: Node) -> tuple[AccountHandle, NodeClient]:
    store = await WalletStore.open_async(tmp_path / "wallet.db", create=True)
    (h,) = await MnemonicSigner(MNEMONIC).ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 1)
    me = Ed25519Address(h)
    outputs = {
        PLAIN: BasicOutput(3 * MIN, (AddressUnlockCondition(me),)),
        EXPIRING: BasicOutput(3 * MIN, (AddressUnlockCondition(me), ExpirationUnlockCondition(SENDER, T))),
        TIMELOCKED: BasicOutput(3 * MIN, (AddressUnlockCondition(me), TimelockUnlockCondition(T))),
    }

    def setup(tx) -> None:  # type: ignore[no-untyped-def]
        tx.create_account("main")
        tx.insert_addresses([AddressRecord(0, False, 0, h, me.to_bech32("tst"), False)])
        for oid, output in outputs.items():
            tx.insert_output(OutputRecord(oid, 0, h, output, None, 1, T - 1000))

    await store.write(setup)
    client = NodeClient("http://node.test", transport=httpx.MockTransport(node))
    signer = MnemonicSigner(MNEMONIC)
    return AccountHandle(0, WalletHandle(SHIMMER_COIN_TYPE, store, client, signer)), client


def only(oid: bytes) -> TransactionOptions:
    return TransactionOptions(custom_inputs=(oid,), remainder=CustomAddress(SENDER))


async def test_a_send_takes_the_recent_view_whose_older_time_never_lets_it_take_too_much(tmp_path: Path) -> None:
    node = Node(T - 10)
    account, client = await make_account(tmp_path, node)
    first = await recent_node_view(client)
    assert (first.now, node.info_requests) == (T - 10, 1)
    node.timestamp = T + 5  # the expiration and the timelock have both passed on the node now
    # a send within VIEW_MAX_AGE reuses the view: the expired output still looks pending (claimable at
    # most), which a send never takes; the timelock that has passed still looks locked
    with pytest.raises(InputNotUsableError, match="cannot be spent now: expires"):
        await prepare_send(account, [(SENDER.to_bech32("tst"), 3 * MIN)], only(EXPIRING))
    with pytest.raises(InputNotUsableError, match="timelocked until"):
        await prepare_send(account, [(SENDER.to_bech32("tst"), 3 * MIN)], only(TIMELOCKED))
    assert node.info_requests == 1
    prepared = await prepare_send(account, [(SENDER.to_bech32("tst"), 3 * MIN)], only(PLAIN))
    assert prepared.timestamp == T - 10
    assert node.info_requests == 1
    # a claim reads the node's time now: the expired output is the sender's, not claimable
    with pytest.raises(InputNotUsableError, match="outside this account"):
        await prepare_transaction(account, [], TransactionOptions(mandatory_inputs=(EXPIRING,)), claiming=True)
    assert node.info_requests == 2
    # ... and that fresh read is what the next send sees: the timelock has passed
    fresh = await recent_node_view(client)
    assert fresh.now == T + 5
    assert node.info_requests == 2
    prepared = await prepare_send(account, [(SENDER.to_bech32("tst"), 3 * MIN)], only(TIMELOCKED))
    assert [i.output_id for i in prepared.inputs] == [TIMELOCKED]
    await client.aclose()
    account.wallet.store.close()


def test_the_expiration_margin_covers_a_view_as_old_as_the_cache_keeps() -> None:
    """The edge: the output expired at T, a claim holds a view up to VIEW_MAX_AGE seconds old. At that older
    time it is still the owner's (claimable), but the margin refuses it as too close to its expiration."""
    assert VIEW_MAX_AGE < EXPIRATION_MARGIN
    me = Ed25519Address(b"\x07" * 32)
    output = BasicOutput(3 * MIN, (AddressUnlockCondition(me), ExpirationUnlockCondition(SENDER, T)))
    oldest_view_time = T - int(VIEW_MAX_AGE) - 1  # the node is at T or later
    refused = candidate_for(EXPIRING, output, oldest_view_time, {me.pub_key_hash}, claiming=True)
    assert isinstance(refused, str)
    assert "too soon" in refused
    # well before the margin, the same claim is allowed (the margin is what refused it above)
    allowed = candidate_for(EXPIRING, output, T - EXPIRATION_MARGIN - 1, {me.pub_key_hash}, claiming=True)
    assert not isinstance(allowed, str)


async def test_a_sync_info_serves_the_next_send_and_an_old_one_is_read_again(tmp_path: Path) -> None:
    node = Node(T)
    client = NodeClient("http://node.test", transport=httpx.MockTransport(node))
    remember_node_info(client, NodeInfo.from_json(info(T - 3)), time.monotonic())
    assert (await recent_node_view(client)).now == T - 3
    assert node.info_requests == 0
    remember_node_info(client, NodeInfo.from_json(info(T - 2)), time.monotonic() - VIEW_MAX_AGE - 1)
    assert (await recent_node_view(client)).now == T - 3  # an older read does not replace a newer one
    other = NodeClient("http://node.test", transport=httpx.MockTransport(node))
    remember_node_info(other, NodeInfo.from_json(info(T - 3)), time.monotonic() - VIEW_MAX_AGE - 1)
    assert (await recent_node_view(other)).now == T
    assert node.info_requests == 1
    assert (await node_view(other)).now == T
    assert node.info_requests == 2
    await client.aclose()
    await other.aclose()
