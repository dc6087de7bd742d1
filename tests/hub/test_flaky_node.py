"""The devnet (a child process, real HTTP) answering 30% of requests with 5xx and dropping 10% of connections:
the scanner falls behind and catches up; nothing is lost or doubled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from tests.devnet_process import Devnet, devnet_in
from tests.hub.conftest import COIN_TYPE, HUB_MNEMONIC
from tests.hub.helpers import balance, events, in_session, new_user_address
from tests.hub.test_scenario import wait_for

from tanglehub.hub.addresses.source import SignerAddressSource
from tanglehub.hub.context import HubContext, open_hub
from tanglehub.hub.deposits.service import read_cursor
from tanglehub.hub.ledger.service import book_differences
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.workers.pool import fill_pool
from tanglehub.hub.workers.scanner import scan_once
from tanglehub.node.errors import NodeError
from tanglehub.vault import MnemonicSigner

pytestmark = pytest.mark.slow


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    yield from devnet_in(tmp_path, faucet_amount=1_000_000)


@pytest.fixture
async def real_hub(hub_settings: HubSettings, devnet: Devnet) -> AsyncIterator[HubContext]:
    hub_settings.node_urls = (devnet.url,)
    signer = MnemonicSigner(HUB_MNEMONIC)
    ctx = await open_hub(hub_settings, address_source=SignerAddressSource(signer, COIN_TYPE))
    yield ctx
    await ctx.aclose()
    signer.close()


def _faults(devnet: Devnet, **switches: object) -> None:
    httpx.post(f"{devnet.url}/api/devnet/v1/faults", json=switches, timeout=10).raise_for_status()


async def test_the_scanner_catches_up_through_errors_and_drops(real_hub: HubContext, devnet: Devnet) -> None:
    await fill_pool(real_hub)
    users = [f"f{i}" for i in range(4)]
    addresses = [new_user_address(real_hub, u).to_bech32("tst") for u in users]
    for _ in range(3):
        for address in addresses:
            devnet.faucet(address)
        devnet.milestone()
    node = httpx.Client(base_url=devnet.url, timeout=10)
    wait_for(
        "the payments to confirm",
        lambda: all(
            len(node.get("/api/indexer/v1/outputs/basic", params={"address": a}).json()["items"]) == 3
            for a in addresses
        ),
    )
    node.close()
    target = devnet.milestone() + 1
    retried = 0
    real_sleep = real_hub.node._sleep

    async def counting_sleep(delay: float) -> object:  # the pool sleeps once per retry round
        nonlocal retried
        retried += 1
        return await real_sleep(delay)

    real_hub.node._sleep = counting_sleep
    _faults(devnet, errorRate=0.3, dropRate=0.1, seed=5)
    failures = 0
    try:
        for _ in range(1000):
            try:
                progress = await scan_once(real_hub)
            except NodeError:
                failures += 1
                continue
            if progress.next_index >= target:
                break
    finally:
        _faults(devnet, errorRate=0, dropRate=0)
    # the node pool retries most faults itself; either way some must have reached the scan
    assert failures + retried > 0, "no fault ever hit the scanner; the test proves nothing"
    assert in_session(real_hub, read_cursor) >= target
    assert [balance(real_hub, u) for u in users] == [3 * devnet.faucet_amount] * 4
    assert len(events(real_hub, ["deposit.credited"])) == 12
    assert in_session(real_hub, book_differences) == []
