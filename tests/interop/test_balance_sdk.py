"""Acceptance: every balance field equals the official iota-sdk 1.1.4's, on the same devnet and mnemonic.

One mnemonic, two accounts (``hot`` = 0, ``user`` = 1), three wallets on it: ours syncing through the
indexer, ours following milestones (ledger mode), and the SDK's. A sender wallet (ours, another mnemonic)
pays ``hot`` a plain output, a timelocked one, one with only an expiration, micro amounts (storage deposit
return + expiration, one expiring soon and one in a day); an SDK sender mints a native token and sends some
(the SDK adds a return and an expiration), mints an NFT for ``hot`` and makes ``hot`` an alias's state
controller; ``hot`` pays ``user`` a micro amount that nobody claims. The balances of both accounts (total,
available, the storage deposits by kind, native tokens, NFTs, aliases, foundries and the potentially
locked outputs with their claimable flag) are compared field by field before the expirations pass, after
``hot`` claims the day-long outputs, and after the short expirations have passed.

The devnet runs as a child process (tests/devnet_process.py), issuing milestones on the wall clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

iota_sdk = pytest.importorskip("iota_sdk")

from iota_sdk import (  # noqa: E402
    ClientOptions,
    CoinType,
    CreateAliasOutputParams,
    CreateNativeTokenParams,
    GenerateAddressOptions,
    MintNftParams,
    MnemonicSecretManager,
    SendNativeTokensParams,
)
from iota_sdk import Wallet as SdkWallet  # noqa: E402
from tests.devnet_process import Devnet  # noqa: E402

from tanglehub.keys.bip39 import generate_mnemonic  # noqa: E402
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE  # noqa: E402
from tanglehub.protocol.address import address_from_bech32  # noqa: E402
from tanglehub.protocol.output import (  # noqa: E402
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.rent import storage_deposit  # noqa: E402
from tanglehub.vault import KdfParams  # noqa: E402
from tanglehub.wallet import Account, SyncMode, SyncOptions, TransactionOptions, Wallet  # noqa: E402

pytestmark = pytest.mark.interop

PASSWORD = "interop test password"
SHORT = 60
"""Seconds until the short timelock and expirations pass."""
DAY = 86_400
INTERNAL = 4
"""Internal (change) addresses every wallet knows from the start, so all three see the same remainders."""


@pytest.fixture(scope="module")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    net = Devnet(tmp_path_factory.mktemp("devnet"), milestone_interval=0.3)
    yield net
    net.stop()


async def our_wallet(path: Path, url: str, mnemonic: str) -> Wallet:
    return await Wallet.create(
        path,
        password=PASSWORD,
        coin_type=SHIMMER_COIN_TYPE,
        node_urls=[url],
        mnemonic=mnemonic,
        kdf=KdfParams.MINIMUM,
        idle_timeout=None,
    )


def sdk_wait(account: Any, tx: Any) -> None:
    """Wait until the SDK's transaction is included, then sync the SDK account."""
    account.retry_transaction_until_included(tx.transactionId, 1, 60)
    account.sync()


async def our_wait(account: Account, tx_id: bytes) -> None:
    final = await account.retry_until_included(tx_id, interval=0.3, max_attempts=100)
    assert final.state == "confirmed"


def sdk_view(account: Any) -> dict[str, Any]:
    """The SDK account's balance after a sync, as plain values."""
    account.sync()
    b = account._call_account_method("getBalance")  # the raw JSON, every field
    return {
        "total": int(b["baseCoin"]["total"]),
        "available": int(b["baseCoin"]["available"]),
        "requiredStorageDeposit": {
            k: int(b["requiredStorageDeposit"][k]) for k in ("alias", "basic", "foundry", "nft")
        },
        "nativeTokens": sorted(
            (t["tokenId"], int(t["total"], 16), int(t["available"], 16)) for t in b["nativeTokens"]
        ),
        "nfts": sorted(b["nfts"]),
        "aliases": sorted(b["aliases"]),
        "foundries": sorted(b["foundries"]),
        "potentiallyLockedOutputs": dict(b["potentiallyLockedOutputs"]),
    }


async def our_view(account: Account) -> dict[str, Any]:
    """Our account's balance in the same shape."""
    b = await account.balance()
    rsd = b.required_storage_deposit
    return {
        "total": b.base_coin.total,
        "available": b.base_coin.available,
        "requiredStorageDeposit": {"alias": rsd.alias, "basic": rsd.basic, "foundry": rsd.foundry, "nft": rsd.nft},
        "nativeTokens": sorted(("0x" + t.token_id.hex(), t.total, t.available) for t in b.native_tokens),
        "nfts": sorted("0x" + n.hex() for n in b.nfts),
        "aliases": sorted("0x" + a.hex() for a in b.aliases),
        "foundries": sorted("0x" + f.hex() for f in b.foundries),
        "potentiallyLockedOutputs": {
            "0x" + e.output_id.hex(): e.unlockable_now for e in b.potentially_locked_outputs
        },
    }


async def compare(
    label: str, sdk_accounts: list[Any], by_indexer: Wallet, by_ledger: Wallet
) -> list[dict[str, Any]]:
    """Sync all three wallets and compare both accounts' balances field by field; the SDK's views."""
    await by_indexer.sync(SyncOptions(SyncMode.INDEXER))
    await by_ledger.sync(SyncOptions(SyncMode.LEDGER))
    views = []
    for index, sdk_account in enumerate(sdk_accounts):
        theirs = await asyncio.to_thread(sdk_view, sdk_account)
        for wallet in (by_indexer, by_ledger):
            ours = await our_view(await wallet.get_account(index))
            for field, value in theirs.items():
                assert ours[field] == value, f"{label}, account {index}, {field} (ours != SDK)"
        views.append(theirs)
    return views


async def wait_for_time(wallet: Wallet, unix: int) -> None:
    """Wait until both the wall clock and the devnet's latest milestone are past ``unix``."""
    while True:
        info = await wallet.node.get_info()
        stamp = info.status.latest_milestone.timestamp or 0
        if stamp > unix and time.time() > unix:
            return
        await asyncio.sleep(0.5)


async def test_balances_match_the_sdk_field_by_field(devnet: Devnet, tmp_path: Path) -> None:
    mnemonic, sender_mnemonic, minter_mnemonic = generate_mnemonic(), generate_mnemonic(), generate_mnemonic()
    wallets: list[Wallet] = []
    try:
        by_indexer = await our_wallet(tmp_path / "indexer", devnet.url, mnemonic)
        by_ledger = await our_wallet(tmp_path / "ledger", devnet.url, mnemonic)
        sender_wallet = await our_wallet(tmp_path / "sender", devnet.url, sender_mnemonic)
        wallets += [by_indexer, by_ledger, sender_wallet]
        sdk = SdkWallet(
            str(tmp_path / "sdk"),
            ClientOptions(nodes=[devnet.url]),
            CoinType.SHIMMER,
            MnemonicSecretManager(mnemonic),
        )
        sdk_accounts = []
        for alias in ("hot", "user"):
            for wallet in (by_indexer, by_ledger):
                account = await wallet.create_account(alias)
                await account.generate_addresses(INTERNAL, internal=True)
            theirs = sdk.create_account(alias)
            theirs.generate_ed25519_addresses(
                INTERNAL, GenerateAddressOptions(internal=True, ledgerNanoPrompt=False)
            )
            sdk_accounts.append(theirs)
        await by_ledger.sync(SyncOptions(SyncMode.LEDGER))  # the ledger cursor starts before any payment
        hot = await by_indexer.get_account("hot")
        user = await by_indexer.get_account("user")
        hot_address = (await hot.addresses(False))[0].bech32
        user_address = (await user.addresses(False))[0].bech32
        me = address_from_bech32(hot_address, expected_hrp="tst")

        # Our sender will pay hot: plain, timelocked, expiring, micro (short and day-long expirations).
        sender = await sender_wallet.create_account("sender")
        sender_address = (await sender.addresses(False))[0].bech32
        back = address_from_bech32(sender_address, expected_hrp="tst")
        devnet.faucet(sender_address)
        while (await sender.sync()).new_output_ids == ():
            await asyncio.sleep(0.3)

        # An SDK minter: a native token sent to hot (the SDK adds a return and a day's expiration), an NFT
        # for hot, and an alias hot controls.
        minter = SdkWallet(
            str(tmp_path / "minter"),
            ClientOptions(nodes=[devnet.url]),
            CoinType.SHIMMER,
            MnemonicSecretManager(minter_mnemonic),
        ).create_account("minter")
        devnet.faucet(minter.addresses()[0].address)
        while int(minter.sync().baseCoin.total) == 0:
            time.sleep(0.3)
        sdk_wait(minter, minter.create_alias_output())
        prepared = minter.prepare_create_native_token(
            CreateNativeTokenParams(circulatingSupply=1000, maximumSupply=1000)
        )
        token_id = prepared.token_id()
        sdk_wait(minter, prepared.send())
        sdk_wait(
            minter,
            minter.send_native_tokens([SendNativeTokensParams(hot_address, [(token_id, hex(100))])]),
        )
        sdk_wait(minter, minter.mint_nfts([MintNftParams(address=hot_address)]))
        sdk_wait(minter, minter.create_alias_output(CreateAliasOutputParams(address=hot_address)))

        # The short timelock and expirations start only now, so everything before them is set up in time.
        info = await sender_wallet.node.get_info()
        now = int(info.status.latest_milestone.timestamp or time.time())
        soon, later = now + SHORT, now + DAY
        rent = sender_wallet.protocol_parameters.rent_structure

        def micro(expires: int) -> BasicOutput:
            ucs = (
                AddressUnlockCondition(me),
                StorageDepositReturnUnlockCondition(back, 1),
                ExpirationUnlockCondition(back, expires),
            )
            deposit = storage_deposit(BasicOutput(1, ucs), rent)
            return BasicOutput(deposit + 1, (ucs[0], StorageDepositReturnUnlockCondition(back, deposit), ucs[2]))

        outputs = [
            BasicOutput(1_000_000, (AddressUnlockCondition(me),)),
            BasicOutput(2_000_000, (AddressUnlockCondition(me), TimelockUnlockCondition(soon))),
            BasicOutput(3_000_000, (AddressUnlockCondition(me), ExpirationUnlockCondition(back, soon))),
            micro(soon),
            micro(later),
        ]
        record = await sender.send_outputs(outputs)
        await our_wait(sender, record.tx_id)

        # hot pays user a micro amount inside the wallet that nobody claims.
        await hot.sync()
        now = int((await by_indexer.node.get_info()).status.latest_milestone.timestamp or time.time())
        internal = await hot.send(
            1, user_address, TransactionOptions(allow_micro_amount=True, expiration=soon - now)
        )
        await our_wait(hot, internal.tx_id)

        before = await compare("before expiry", sdk_accounts, by_indexer, by_ledger)
        assert len(before[0]["nfts"]) == len(before[0]["aliases"]) == 1
        assert list(before[1]["potentiallyLockedOutputs"].values()) == [True]

        # hot claims what expires in a day (the native tokens and the day-long micro amount).
        await hot.sync()
        claimable = [oid for oid, can in before[0]["potentiallyLockedOutputs"].items() if can]
        day_long = []
        for rec in await hot.unspent_outputs():
            expiration = rec.output.unlock_condition(ExpirationUnlockCondition)
            if (
                expiration is not None
                and expiration.unix_time > soon + 60
                and "0x" + rec.output_id.hex() in claimable
            ):
                day_long.append(rec.output_id)
        assert len(day_long) == 2
        claimed = await hot.claim_outputs(day_long)
        assert claimed is not None
        await our_wait(hot, claimed.tx_id)
        after_claim = await compare("after claim", sdk_accounts, by_indexer, by_ledger)
        assert [t[0] for t in after_claim[0]["nativeTokens"]] == [token_id]

        # The short timelock and expirations pass: the timelocked output counts, the expired ones went back
        # to their senders, and hot owns its micro payment to user again.
        await wait_for_time(by_indexer, soon + 5)
        after = await compare("after expiry", sdk_accounts, by_indexer, by_ledger)
        assert (after[1]["total"], after[1]["potentiallyLockedOutputs"]) == (0, {})
        assert after[0]["potentiallyLockedOutputs"] == {}
    finally:
        for wallet in wallets:
            await wallet.close()
