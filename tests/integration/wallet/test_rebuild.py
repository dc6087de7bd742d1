"""A vault holding a mnemonic is never deleted, and a missing or damaged state database is rebuilt from the
vault and the ledger (issue 7, section 1). Scenario of the issue: delete (or truncate) ``wallet.db`` of a
funded wallet, then try ``open``, ``create`` and ``rebuild``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tests.wallet_fixtures import MNEMONIC, PASSWORD, Devnet, open_again

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams, WrongPasswordError
from tanglehub.wallet import (
    Wallet,
    WalletExistsError,
    WalletRebuildNeededError,
    WalletStateCorruptError,
)
from tanglehub.wallet.layout import WalletState, remove_leftovers, wallet_state


async def _funded_wallet(wallet_factory, devnet: Devnet) -> tuple[Path, dict[str, int], list[str]]:  # type: ignore[no-untyped-def]
    """A closed wallet "w": account main (funded twice at public index 0, once at index 2; 6 public
    addresses handed out) and user-1 (funded once at internal index 1). (dir, totals, main's addresses)."""
    wallet = await wallet_factory("w", mnemonic=MNEMONIC, funded=2)
    main = await wallet.get_account("main")
    handed_out = [a.bech32 for a in await main.generate_addresses(5)]
    await devnet.fund(handed_out[1])
    user = await wallet.create_account("user-1")
    internal = await user.generate_addresses(2, internal=True)
    await devnet.fund(internal[1].bech32)
    await wallet.sync()
    totals = {a.alias: (await a.balance()).base_coin.total for a in await wallet.accounts()}
    assert totals == {"main": 3 * devnet.faucet_amount, "user-1": devnet.faucet_amount}
    addresses = [a.bech32 for a in await main.addresses(internal=False)]
    await wallet.close()
    return wallet.path, totals, addresses


async def _rebuild(devnet: Devnet, path: Path, **kwargs: object) -> Wallet:
    return await Wallet.rebuild(path, password=PASSWORD, pool=devnet.pool(), idle_timeout=None, **kwargs)  # type: ignore[arg-type]


async def _totals(wallet: Wallet) -> dict[str, int]:
    return {a.alias: (await a.balance()).base_coin.total for a in await wallet.accounts()}


async def test_a_deleted_state_database_is_rebuilt_and_create_never_deletes_the_vault(
    wallet_factory, devnet: Devnet
) -> None:
    path, totals, _ = await _funded_wallet(wallet_factory, devnet)
    vault = (path / "wallet.vault").read_bytes()
    (path / "wallet.db").unlink()
    assert wallet_state(path) is WalletState.STATE_MISSING
    with pytest.raises(WalletRebuildNeededError, match=r"wallet.db is missing.*Wallet\.rebuild"):
        await open_again(devnet, path)
    for password in (PASSWORD, "any other password"):  # the issue: create with any password wiped the vault
        with pytest.raises(WalletRebuildNeededError, match="never replaced"):
            await Wallet.create(
                path, password=password, coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool(), kdf=KdfParams.MINIMUM
            )
    with pytest.raises(WalletRebuildNeededError, match="never deleted"):
        remove_leftovers(path)
    with pytest.raises(WrongPasswordError):
        await Wallet.rebuild(path, password="wrong", coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool())
    assert (path / "wallet.vault").read_bytes() == vault

    wallet = await _rebuild(devnet, path, coin_type=SHIMMER_COIN_TYPE)
    try:
        assert wallet.last_rebuild is not None
        assert wallet.last_rebuild.moved_aside == ()
        # the aliases were only in the lost database: the gap scan names the accounts it finds by index
        assert await _totals(wallet) == {"account-0": totals["main"], "account-1": totals["user-1"]}
    finally:
        await wallet.close()
    assert (path / "wallet.vault").read_bytes() == vault
    again = await open_again(devnet, path)
    await again.close()
    with pytest.raises(WalletExistsError, match="is complete; open it"):
        await _rebuild(devnet, path)


async def test_a_truncated_state_database_is_reported_corrupt_and_kept(wallet_factory, devnet: Devnet) -> None:
    path, totals, _ = await _funded_wallet(wallet_factory, devnet)
    vault = (path / "wallet.vault").read_bytes()
    data = (path / "wallet.db").read_bytes()
    (path / "wallet.db").write_bytes(data[: len(data) // 2])
    assert wallet_state(path) is WalletState.STATE_CORRUPT
    with pytest.raises(WalletStateCorruptError) as info:
        await open_again(devnet, path)
    assert info.value.code == "WALLET_STATE_CORRUPT"
    assert "damaged" in str(info.value)
    assert "Wallet.rebuild" in str(info.value)
    assert "exists" not in str(info.value)
    with pytest.raises(WalletStateCorruptError):
        await Wallet.create(path, password="x", coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool())
    assert (path / "wallet.vault").read_bytes() == vault

    wallet = await _rebuild(devnet, path, coin_type=SHIMMER_COIN_TYPE)
    try:
        assert wallet.last_rebuild is not None
        kept = wallet.last_rebuild.moved_aside[0]  # then its -wal/-shm companions, if any
        assert all(name.startswith(kept) for name in wallet.last_rebuild.moved_aside)
        assert kept.startswith("wallet.db.damaged-")
        assert (path / kept).read_bytes() == data[: len(data) // 2]  # the damaged file is kept as it was
        assert sorted((await _totals(wallet)).values()) == sorted(totals.values())
    finally:
        await wallet.close()


async def test_an_unfinished_state_database_gives_back_aliases_and_handed_out_addresses(
    wallet_factory, devnet: Devnet
) -> None:
    path, totals, addresses = await _funded_wallet(wallet_factory, devnet)
    conn = sqlite3.connect(path / "wallet.db")
    with conn:
        conn.execute("DELETE FROM meta WHERE key = 'network_name'")  # the completion marker is gone
    conn.close()
    assert wallet_state(path) is WalletState.STATE_MISSING
    with pytest.raises(WalletRebuildNeededError, match="never finished"):
        await open_again(devnet, path)

    wallet = await _rebuild(devnet, path)  # coin type read from the old file
    try:
        assert wallet.coin_type == SHIMMER_COIN_TYPE
        assert wallet.last_rebuild is not None
        assert wallet.last_rebuild.accounts_from_old_state == 2
        assert await _totals(wallet) == totals
        main = await wallet.get_account("main")
        # index 5 was handed out but never funded: the ledger alone could not have told
        assert [a.bech32 for a in await main.addresses(internal=False)] == addresses
        user = await wallet.get_account("user-1")
        assert len(await user.addresses(internal=True)) == 2
    finally:
        await wallet.close()


async def test_restore_never_removes_a_vault_holding_a_mnemonic(
    wallet_factory, devnet: Devnet, tmp_path: Path
) -> None:
    """The same mistake in another place: restoring into a directory whose state database is gone used to
    remove its vault as 'leftovers' before installing the backup."""
    other = await wallet_factory("other", funded=1)
    backup = await other.backup(tmp_path / "other.backup", "backup password", kdf=KdfParams.MINIMUM)
    path, _, _ = await _funded_wallet(wallet_factory, devnet)
    vault = (path / "wallet.vault").read_bytes()
    (path / "wallet.db").unlink()
    with pytest.raises(WalletRebuildNeededError, match=r"Wallet\.rebuild.*restore into an empty directory"):
        await Wallet.restore(backup, path, "backup password", coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool())
    assert (path / "wallet.vault").read_bytes() == vault
    restored = await Wallet.restore(
        backup, tmp_path / "empty", "backup password", coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool()
    )
    await restored.close()
