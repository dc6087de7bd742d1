"""Every funded address is found: addresses generated after their deposit, restores from older backups, and
recovery past a run of spent change addresses (issue 7, section 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet, WalletFactory, address_of, private_key_of

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.vault import KdfParams
from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations.discovery import RESTORE_ADDRESS_GAP

LEDGER = SyncOptions(mode=SyncMode.LEDGER)
BACKUP_PASSWORD = "backup horse battery staple"


def _bech32(wallet: Wallet, account: int, index: int, internal: bool = False) -> str:
    """The address ``index`` of ``MNEMONIC``'s chain, derived outside the wallet (as ``keys derive`` would)."""
    return address_of(private_key_of(MNEMONIC, account, index, internal)).to_bech32(wallet.bech32_hrp)


async def _sweep(devnet: Devnet, account: int, index: int, internal: bool = False) -> None:
    """Spend everything the address holds to a foreign address (as a sweep by a newer wallet state would)."""
    key = private_key_of(MNEMONIC, account, index, internal)
    ids = devnet.unspent_of(address_of(key))
    amount = sum(devnet.node.output(oid).output.amount for oid in ids)
    away = address_of(private_key_of(MNEMONIC, 99, 0))
    await devnet.transact(key, ids, [BasicOutput(amount, (AddressUnlockCondition(away),))])


async def test_ledger_sync_finds_a_deposit_made_before_the_address_was_generated(
    wallet_factory: WalletFactory, devnet: Devnet
) -> None:
    wallet = await wallet_factory(mnemonic=MNEMONIC)
    account = await wallet.get_account("main")
    await wallet.sync(LEDGER)
    await devnet.fund(_bech32(wallet, 0, 3))  # handed out from `tanglehub keys derive`, not by the wallet
    await devnet.milestone()
    await wallet.sync(LEDGER)  # the cursor passes the deposit while index 3 is unknown to the wallet
    generated = await account.generate_addresses(3)
    assert generated[-1].key_index == 3

    result = await account.sync(LEDGER)

    assert len(result.new_output_ids) == 1
    assert (await account.balance()).base_coin.total == devnet.faucet_amount
    assert (await wallet.sync(LEDGER)).new_output_ids == ()  # checked once, not again
    assert (await account.balance()).base_coin.total == devnet.faucet_amount


async def test_latest_unused_address_never_hands_out_an_address_holding_outputs(
    wallet_factory: WalletFactory, devnet: Devnet
) -> None:
    wallet = await wallet_factory(mnemonic=MNEMONIC)
    account = await wallet.get_account("main")
    await devnet.faucet(_bech32(wallet, 0, 0))  # the stored, never synced address 0
    await devnet.faucet(_bech32(wallet, 0, 1))  # address 1, not generated yet
    await devnet.milestone()

    address = await account.latest_unused_address()

    assert address.key_index == 2
    assert address.bech32 == _bech32(wallet, 0, 2)
    assert (await account.balance()).base_coin.total == 2 * devnet.faucet_amount
    assert [a.used for a in await account.addresses(internal=False)] == [True, True, False]
    assert await account.latest_unused_address() == address


@pytest.mark.parametrize("mode", [SyncMode.INDEXER, SyncMode.LEDGER])
async def test_restore_from_an_older_backup_scans_ahead_and_skips_used_addresses(
    wallet_factory: WalletFactory, devnet: Devnet, tmp_path: Path, mode: SyncMode
) -> None:
    wallet = await wallet_factory("source", mnemonic=MNEMONIC, funded=1)
    account = await wallet.get_account("main")
    await wallet.sync(SyncOptions(mode=mode))
    backup = await wallet.backup(tmp_path / "old.backup", BACKUP_PASSWORD, kdf=KdfParams.MINIMUM)
    # after the backup: addresses 1-3 are handed out; 2 receives a deposit that is swept, 3 keeps its deposit
    handed = await account.generate_addresses(3)
    await devnet.fund(handed[1].bech32)
    await _sweep(devnet, 0, 2)
    await devnet.fund(handed[2].bech32)
    await wallet.close()

    restored = await Wallet.restore(
        backup, tmp_path / "restored", BACKUP_PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool()
    )
    try:
        main = await restored.get_account("main")
        first = await main.latest_unused_address()
        assert first.key_index == 4
        assert first.bech32 == _bech32(restored, 0, 4)
        await restored.sync(SyncOptions(mode=mode))
        assert (await main.balance()).base_coin.total == 2 * devnet.faucet_amount
        assert [a.used for a in await main.addresses(internal=False)] == [True, False, True, True, False]
        assert await main.latest_unused_address() == first
    finally:
        await restored.close()


@pytest.mark.parametrize("mode", [SyncMode.INDEXER, SyncMode.LEDGER])
async def test_sync_after_restore_scans_ahead_by_the_gap_limit(
    wallet_factory: WalletFactory, devnet: Devnet, tmp_path: Path, mode: SyncMode
) -> None:
    wallet = await wallet_factory("source", mnemonic=MNEMONIC)
    await wallet.sync(SyncOptions(mode=mode))
    backup = await wallet.backup(tmp_path / "old.backup", BACKUP_PASSWORD, kdf=KdfParams.MINIMUM)
    await wallet.close()
    far = RESTORE_ADDRESS_GAP  # key indexes 1..gap-1 unused: index `gap` is within the gap after index 0
    await devnet.faucet(_bech32(wallet, 0, far))
    await devnet.faucet(_bech32(wallet, 0, 2, internal=True))
    await devnet.faucet(_bech32(wallet, 0, 2 * far + 1))  # beyond the gap after `far`: not looked for
    await devnet.milestone()

    restored = await Wallet.restore(
        backup, tmp_path / "restored", BACKUP_PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool()
    )
    try:
        main = await restored.get_account("main")
        await restored.sync(SyncOptions(mode=mode))
        assert len(await main.addresses(internal=False)) == far + 1
        assert len(await main.addresses(internal=True)) == 3
        assert (await main.balance()).base_coin.total == 2 * devnet.faucet_amount
        assert (await main.latest_unused_address()).key_index == far + 1
    finally:
        await restored.close()


async def test_recover_accounts_crosses_a_run_of_spent_change_addresses(
    wallet_factory: WalletFactory, devnet: Devnet
) -> None:
    # a hot account: change addresses 0-19 each received and spent the remainder; the funds are on 20-23
    source = await wallet_factory("source", mnemonic=MNEMONIC)
    await devnet.fund(_bech32(source, 0, 0, internal=True))
    for i in range(20):
        key = private_key_of(MNEMONIC, 0, i, internal=True)
        [oid] = devnet.unspent_of(address_of(key))
        amount = devnet.node.output(oid).output.amount
        targets = [i + 1] if i < 19 else [20, 21, 22, 23]
        shares = [amount // len(targets)] * len(targets)
        shares[0] += amount - sum(shares)
        outputs = [
            BasicOutput(share, (AddressUnlockCondition(_address(0, t, internal=True)),))
            for t, share in zip(targets, shares, strict=True)
        ]
        await devnet.transact(key, [oid], outputs)

    restored = await wallet_factory("restored", mnemonic=MNEMONIC, alias=None)
    [hot] = await restored.recover_accounts(2, 20)

    assert (await hot.balance()).base_coin.total == devnet.faucet_amount
    change = await hot.addresses(internal=True)
    assert [a.key_index for a in change] == list(range(24))
    assert all(a.used for a in change)
    assert (await hot.latest_unused_address(internal=True)).key_index == 24

    sdk_like = await wallet_factory("unspent-only", mnemonic=MNEMONIC, alias=None)
    assert await sdk_like.recover_accounts(2, 20, history=False) == []  # only unspent outputs: nothing found


def _address(account: int, index: int, internal: bool = False) -> Ed25519Address:
    return address_of(private_key_of(MNEMONIC, account, index, internal))
