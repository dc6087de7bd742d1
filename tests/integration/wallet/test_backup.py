"""Backup and restore: one encrypted file, same accounts and balances elsewhere; wrong inputs refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from tests.wallet_fixtures import Devnet

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.keys.slip10 import IOTA_COIN_TYPE, SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams
from tanglehub.wallet import (
    BackupCorruptedError,
    BackupWrongPasswordError,
    CoinTypeMismatchError,
    Wallet,
    WalletExistsError,
    WalletNetworkMismatchError,
)

BACKUP_PASSWORD = "backup pass phrase"


async def _backed_up(wallet_factory, devnet: Devnet, tmp_path: Path) -> tuple[Wallet, Path]:
    wallet = await wallet_factory("source", funded=2)
    bob = await wallet.create_account("bob")
    await bob.generate_addresses(5, internal=True)
    path = await wallet.backup(tmp_path / "wallet.backup", BACKUP_PASSWORD, kdf=KdfParams.MINIMUM)
    return wallet, path


async def test_restore_elsewhere_has_same_accounts_addresses_and_balances(
    wallet_factory, devnet: Devnet, tmp_path: Path
) -> None:
    wallet, path = await _backed_up(wallet_factory, devnet, tmp_path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b"bob" not in path.read_bytes()
    restored = await Wallet.restore(
        path, tmp_path / "elsewhere", BACKUP_PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool()
    )
    try:
        assert [a.alias for a in await restored.accounts()] == ["main", "bob"]
        for alias in ("main", "bob"):
            ours = await (await wallet.get_account(alias)).addresses()
            theirs = await (await restored.get_account(alias)).addresses()
            assert ours == theirs
        main = await restored.get_account("main")
        assert (await main.balance()).base_coin.total == 2 * devnet.faucet_amount
        # the restored vault signs for the same keys: a new address equals the source's next one
        assert (await main.generate_address()).bech32 == (
            await (await wallet.get_account("main")).generate_address()
        ).bech32
        assert not (await main.sync()).changed
    finally:
        await restored.close()


async def test_restore_refuses_wrong_password_coin_type_network_and_damage(
    wallet_factory, devnet: Devnet, tmp_path: Path
) -> None:
    _, path = await _backed_up(wallet_factory, devnet, tmp_path)
    target = tmp_path / "target"
    with pytest.raises(BackupWrongPasswordError):
        await Wallet.restore(path, target, "wrong", coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool())
    with pytest.raises(CoinTypeMismatchError, match="4219"):
        await Wallet.restore(path, target, BACKUP_PASSWORD, coin_type=IOTA_COIN_TYPE, pool=devnet.pool())
    with pytest.raises(WalletNetworkMismatchError):
        await Wallet.restore(
            path, target, BACKUP_PASSWORD, coin_type=SHIMMER_COIN_TYPE, network_name="shimmer", pool=devnet.pool()
        )
    other = DevnetNode(DevnetConfig(milestone_interval=0, network_name="another-net"))
    other_devnet = Devnet(other, create_app(node=other))
    try:
        with pytest.raises(WalletNetworkMismatchError, match="another-net"):
            await Wallet.restore(
                path, target, BACKUP_PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=other_devnet.pool()
            )
    finally:
        for pool in other_devnet.pools:
            await pool.aclose()
        other.close()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupCorruptedError, match="damaged"):
        await Wallet.restore(damaged, target, BACKUP_PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool())
    assert not (target / "wallet.db").exists()
    assert not (target / "wallet.vault").exists()
    with pytest.raises(WalletExistsError):
        await Wallet.restore(
            path, tmp_path / "source", BACKUP_PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool()
        )
