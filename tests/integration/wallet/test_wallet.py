"""Creating and opening wallets; network, coin type and password checks; the one-time mnemonic."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from tests.wallet_fixtures import MNEMONIC, PASSWORD, Devnet, open_again

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.keys.bip39 import validate_mnemonic
from tanglehub.keys.slip10 import IOTA_COIN_TYPE, SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams, MnemonicAlreadyRevealedError, WrongPasswordError
from tanglehub.wallet import (
    CoinTypeMismatchError,
    Wallet,
    WalletExistsError,
    WalletNetworkMismatchError,
    WalletNotFoundError,
)


async def test_create_generates_a_mnemonic_shown_once(devnet: Devnet, tmp_path: Path) -> None:
    wallet = await Wallet.create(
        tmp_path / "w", password=PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool(), kdf=KdfParams.MINIMUM
    )
    try:
        words = wallet.take_new_mnemonic()
        assert validate_mnemonic(words) == words
        assert len(words.split()) == 24
        with pytest.raises(MnemonicAlreadyRevealedError):
            wallet.take_new_mnemonic()
        assert (wallet.network_name, wallet.bech32_hrp) == ("tanglehub-devnet", "tst")
        assert wallet.network_id == devnet.node.network_id
    finally:
        await wallet.close()
    for name in ("wallet.vault", "wallet.db"):
        assert stat.S_IMODE(os.stat(tmp_path / "w" / name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "w").st_mode) == 0o700


async def test_create_refuses_an_existing_wallet(wallet_factory, devnet: Devnet, tmp_path: Path) -> None:
    await wallet_factory("w")
    with pytest.raises(WalletExistsError):
        await Wallet.create(
            tmp_path / "w",
            password=PASSWORD,
            coin_type=SHIMMER_COIN_TYPE,
            pool=devnet.pool(),
            kdf=KdfParams.MINIMUM,
        )


async def test_open_keeps_accounts_and_checks_password_and_coin_type(
    wallet_factory, devnet: Devnet, tmp_path: Path
) -> None:
    wallet = await wallet_factory("w", mnemonic=MNEMONIC)
    await wallet.create_account("second")
    address = (await (await wallet.get_account("main")).addresses())[0].bech32
    await wallet.close()

    with pytest.raises(WrongPasswordError):
        await Wallet.open(tmp_path / "w", password="not it", pool=devnet.pool())
    with pytest.raises(CoinTypeMismatchError, match="4219"):
        await open_again(devnet, tmp_path / "w", coin_type=IOTA_COIN_TYPE)
    again = await open_again(devnet, tmp_path / "w", coin_type=SHIMMER_COIN_TYPE)
    try:
        assert [a.alias for a in await again.accounts()] == ["main", "second"]
        assert (await again.find_account_by_address(address)).alias == "main"
        with pytest.raises(MnemonicAlreadyRevealedError):
            again.take_new_mnemonic()
    finally:
        await again.close()


async def test_open_missing_wallet(devnet: Devnet, tmp_path: Path) -> None:
    with pytest.raises(WalletNotFoundError):
        await Wallet.open(tmp_path / "nothing", password=PASSWORD, pool=devnet.pool())


async def test_open_refuses_a_node_of_another_network(wallet_factory, devnet: Devnet, tmp_path: Path) -> None:
    wallet = await wallet_factory("w")
    await wallet.close()
    other = DevnetNode(DevnetConfig(milestone_interval=0, network_name="someone-else", hrp="smr"))
    other_devnet = Devnet(other, create_app(node=other))
    try:
        with pytest.raises(WalletNetworkMismatchError, match="someone-else"):
            await open_again(other_devnet, tmp_path / "w")
    finally:
        for pool in other_devnet.pools:
            await pool.aclose()
        other.close()
