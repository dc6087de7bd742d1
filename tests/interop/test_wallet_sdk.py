"""Acceptance: our wallet and the official iota-sdk 1.1.4 Wallet, side by side over real HTTP on the devnet.

* The same mnemonic derives the same public and internal addresses in both, for several accounts.
* An SDK wallet pays one of our addresses: we see the output, the NewOutput event and the balance, syncing
  in indexer mode and in ledger mode.
* We pay an SDK wallet's address: the SDK syncs and sees our output.
* Both sides agree on every balance: for each of the two mnemonics, our wallet and an SDK wallet on it
  report the same total and available amounts.

The devnet runs as a child process (tests/devnet_process.py): the SDK's blocking calls hold the GIL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

iota_sdk = pytest.importorskip("iota_sdk")

from iota_sdk import (  # noqa: E402
    ClientOptions,
    CoinType,
    GenerateAddressOptions,
    MnemonicSecretManager,
)
from iota_sdk import (  # noqa: E402
    SyncOptions as SdkSyncOptions,
)
from iota_sdk import (  # noqa: E402
    Wallet as SdkWallet,
)
from tests.devnet_process import FAUCET_AMOUNT, Devnet  # noqa: E402

from tanglehub.keys.bip39 import generate_mnemonic  # noqa: E402
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE  # noqa: E402
from tanglehub.vault import KdfParams  # noqa: E402
from tanglehub.wallet import Account, BalanceChange, NewOutput, SyncMode, SyncOptions, Wallet  # noqa: E402

pytestmark = pytest.mark.interop

PASSWORD = "interop test password"
PAY_IN = 2_000_000_000
"""What the SDK wallet pays us."""
PAY_OUT = 500_000_000
"""What we pay the SDK wallet back."""


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    net = Devnet(tmp_path_factory.mktemp("devnet"), milestone_interval=0.3)
    yield net
    net.stop()


def sdk_wallet(path: Path, url: str, mnemonic: str) -> SdkWallet:
    """An SDK wallet (Shimmer coin type, like ours) on ``mnemonic``."""
    return SdkWallet(str(path), ClientOptions(nodes=[url]), CoinType.SHIMMER, MnemonicSecretManager(mnemonic))


async def our_wallet(path: Path, url: str, mnemonic: str) -> Wallet:
    """Our wallet on ``mnemonic`` (fast KDF, no idle lock)."""
    return await Wallet.create(
        path,
        password=PASSWORD,
        coin_type=SHIMMER_COIN_TYPE,
        node_urls=[url],
        mnemonic=mnemonic,
        kdf=KdfParams.MINIMUM,
        idle_timeout=None,
    )


def sdk_addresses(account: Any, internal: bool) -> list[str]:
    """The SDK account's addresses of one chain, by key index."""
    chain = [a for a in account.addresses() if a.internal == internal]
    return [a.address for a in sorted(chain, key=lambda a: a.keyIndex)]


async def our_addresses(account: Account, internal: bool) -> list[str]:
    """Our account's addresses of one chain, by key index."""
    return [r.bech32 for r in sorted(await account.addresses(internal), key=lambda r: r.key_index)]


def sdk_balance(account: Any, options: Any = None) -> tuple[int, int]:
    """(total, available) from the SDK's ``get_balance()`` after an SDK sync."""
    synced = account.sync(options)
    balance = account.get_balance()
    assert balance.baseCoin == synced.baseCoin
    return int(balance.baseCoin.total), int(balance.baseCoin.available)


def sdk_wait_total(account: Any, want: int, options: Any = None, timeout: float = 20.0) -> int:
    """Sync the SDK account until its total is ``want`` (or the time is up); the last total seen."""
    deadline = time.monotonic() + timeout
    total = -1
    while time.monotonic() < deadline:
        total = sdk_balance(account, options)[0]
        if total == want:
            break
        time.sleep(0.3)
    return total


async def our_totals(account: Account) -> tuple[int, int]:
    """(total, available) of our account from its stored outputs."""
    balance = await account.balance()
    return balance.base_coin.total, balance.base_coin.available


async def test_same_mnemonic_derives_the_same_addresses(devnet: Devnet, tmp_path: Path) -> None:
    mnemonic = generate_mnemonic()
    sdk = sdk_wallet(tmp_path / "sdk", devnet.url, mnemonic)
    ours = await our_wallet(tmp_path / "ours", devnet.url, mnemonic)
    try:
        for alias in ("first", "second", "third"):
            mine = await ours.create_account(alias)
            theirs = sdk.create_account(alias)
            assert theirs.get_metadata().index == mine.index
            await mine.generate_addresses(5)
            await mine.generate_addresses(6, internal=True)
            theirs.generate_ed25519_addresses(5)
            theirs.generate_ed25519_addresses(6, GenerateAddressOptions(internal=True, ledgerNanoPrompt=False))
            for internal in (False, True):
                expected = sdk_addresses(theirs, internal)
                assert len(expected) == 6
                assert await our_addresses(mine, internal) == expected
        assert (await ours.find_account_by_address(sdk_addresses(theirs, True)[-1])).alias == "third"
    finally:
        await ours.close()


async def test_payments_both_ways_and_balances_agree(devnet: Devnet, tmp_path: Path) -> None:
    sdk_mnemonic, our_mnemonic = generate_mnemonic(), generate_mnemonic()
    sdk = sdk_wallet(tmp_path / "sdk", devnet.url, sdk_mnemonic)
    sdk_account = sdk.create_account("sdk")
    sdk_address = sdk_account.addresses()[0].address

    # Two of our wallets on one mnemonic: one syncs through the indexer, the other follows milestones.
    by_indexer = await our_wallet(tmp_path / "indexer", devnet.url, our_mnemonic)
    by_ledger = await our_wallet(tmp_path / "ledger", devnet.url, our_mnemonic)
    wallets = [by_indexer, by_ledger]
    try:
        ours = await by_indexer.create_account("main")
        mirror = await by_ledger.create_account("main")
        our_address = (await ours.addresses(False))[0].bech32
        assert (await mirror.addresses(False))[0].bech32 == our_address
        await by_ledger.sync(SyncOptions(mode=SyncMode.LEDGER))  # sets the ledger cursor before any payment
        assert await our_totals(mirror) == (0, 0)

        # The SDK wallet is funded by the faucet and pays us.
        devnet.faucet(sdk_address)
        assert sdk_wait_total(sdk_account, FAUCET_AMOUNT) == FAUCET_AMOUNT
        sdk_tx = sdk_account.send(str(PAY_IN), our_address)
        sdk_account.retry_transaction_until_included(sdk_tx.transactionId, 1, 30)
        paid_in = bytes.fromhex(sdk_tx.transactionId[2:])

        result = await ours.sync()
        assert [oid[:32] for oid in result.new_output_ids] == [paid_in]
        (received,) = await ours.unspent_outputs()
        assert (received.output.amount, received.output_id[:32]) == (PAY_IN, paid_in)
        assert await our_totals(ours) == (PAY_IN, PAY_IN)

        ledger_result = await mirror.sync(SyncOptions(mode=SyncMode.LEDGER))
        assert ledger_result.milestones_read >= 1
        assert list(ledger_result.new_output_ids) == [received.output_id]
        assert await our_totals(mirror) == (PAY_IN, PAY_IN)

        for wallet in wallets:
            (event,) = [d.event for d in await wallet.events.history(kinds=[NewOutput])]
            assert isinstance(event, NewOutput)
            assert (event.output_id, event.address, event.amount) == (received.output_id, our_address, PAY_IN)
            changes = [d.event for d in await wallet.events.history(kinds=[BalanceChange])]
            assert [(c.before, c.after) for c in changes if isinstance(c, BalanceChange)] == [(0, PAY_IN)]

        # We pay the SDK wallet back; the remainder goes to our first internal (change) address.
        record = await ours.send(PAY_OUT, sdk_address)
        final = await ours.retry_until_included(record.tx_id, interval=0.3, max_attempts=60)
        assert final.state == "confirmed"
        sdk_expected = FAUCET_AMOUNT - PAY_IN + PAY_OUT
        incoming = SdkSyncOptions(sync_incoming_transactions=True)
        assert sdk_wait_total(sdk_account, sdk_expected, incoming) == sdk_expected
        from_us = [o for o in sdk_account.unspent_outputs() if o.outputId.startswith("0x" + record.tx_id.hex())]
        assert [int(o.output.amount) for o in from_us] == [PAY_OUT]
        # The SDK fetched our transaction (the included-block route) and decoded the payload we signed.
        assert "0x" + record.tx_id.hex() in [t.transactionId for t in sdk_account.incoming_transactions()]

        await ours.sync()
        assert await our_totals(ours) == (PAY_IN - PAY_OUT, PAY_IN - PAY_OUT)
        change = (await ours.addresses(True))[0]
        await mirror.generate_address(internal=True)  # the mirror wallet learns the change address too
        assert (await mirror.addresses(True))[0].bech32 == change.bech32
        await by_ledger.sync(SyncOptions(mode=SyncMode.LEDGER))
        assert await our_totals(mirror) == (PAY_IN - PAY_OUT, PAY_IN - PAY_OUT)

        # Every balance, seen from both implementations: an SDK wallet on our mnemonic ...
        sdk_on_ours = sdk_wallet(tmp_path / "sdk-on-ours", devnet.url, our_mnemonic).create_account("main")
        sdk_on_ours.generate_ed25519_addresses(1, GenerateAddressOptions(internal=True, ledgerNanoPrompt=False))
        assert sdk_addresses(sdk_on_ours, True) == [change.bech32]
        assert sdk_balance(sdk_on_ours) == await our_totals(ours)
        # ... and our wallet on the SDK's mnemonic.
        ours_on_sdk = await our_wallet(tmp_path / "ours-on-sdk", devnet.url, sdk_mnemonic)
        wallets.append(ours_on_sdk)
        theirs = await ours_on_sdk.create_account("sdk")
        await theirs.sync()
        assert await our_totals(theirs) == sdk_balance(sdk_account) == (sdk_expected, sdk_expected)
        assert sorted(r.output_id for r in await theirs.unspent_outputs()) == sorted(
            bytes.fromhex(o.outputId[2:]) for o in sdk_account.unspent_outputs()
        )
    finally:
        for wallet in wallets:
            await wallet.close()
