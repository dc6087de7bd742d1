"""Wallet.create is crash-safe: a failure between writing the vault and the database leaves nothing that blocks
the next create; after a SIGKILL the vault (which holds a mnemonic by then) is kept, ``open`` and ``create``
point to ``Wallet.rebuild``, and nothing ever deletes it."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from tests.integration.wallet.test_wallet_lock import start_child, stop
from tests.wallet_fixtures import MNEMONIC, PASSWORD, Devnet, open_again

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams
from tanglehub.wallet import StorageError, Wallet, WalletExistsError, WalletRebuildNeededError, WalletStore
from tanglehub.wallet.layout import WalletState, wallet_state
from tanglehub.wallet.storage_queries import StoreTx


async def create(devnet: Devnet, directory: Path, **kwargs: object) -> Wallet:
    return await Wallet.create(
        directory,
        password=PASSWORD,
        coin_type=SHIMMER_COIN_TYPE,
        pool=devnet.pool(),
        kdf=KdfParams.MINIMUM,
        idle_timeout=None,
        **kwargs,  # type: ignore[arg-type]
    )


async def create_and_reopen(devnet: Devnet, directory: Path) -> None:
    wallet = await create(devnet, directory, mnemonic=MNEMONIC)
    await wallet.create_account("main")
    await wallet.close()
    again = await open_again(devnet, directory)
    try:
        assert [a.alias for a in await again.accounts()] == ["main"]
    finally:
        await again.close()


async def test_a_failure_opening_the_database_leaves_nothing(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> WalletStore:
        assert (tmp_path / "w" / "wallet.vault").exists()  # the vault is written, the database not yet
        raise StorageError("disk full (simulated)")

    monkeypatch.setattr(WalletStore, "open_async", broken)
    with pytest.raises(StorageError, match="simulated"):
        await create(devnet, tmp_path / "w")
    monkeypatch.undo()
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == ["wallet.lock"]
    await create_and_reopen(devnet, tmp_path / "w")


async def test_a_failure_writing_the_settings_leaves_nothing(
    devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: StoreTx, key: str, value: object) -> None:
        raise StorageError("disk full (simulated)")

    monkeypatch.setattr(StoreTx, "set_meta", broken)
    with pytest.raises(StorageError, match="simulated"):
        await create(devnet, tmp_path / "w")
    monkeypatch.undo()
    assert wallet_state(tmp_path / "w") is WalletState.NONE
    await create_and_reopen(devnet, tmp_path / "w")


async def test_a_create_killed_after_the_mnemonic_is_stored_keeps_the_vault_and_rebuilds(
    devnet: Devnet, tmp_path: Path
) -> None:
    """Issue 7: the vault of an interrupted create already holds a mnemonic; nothing may delete it (it may be
    somebody's only copy); the next create refuses and points to Wallet.rebuild, which makes it usable."""
    child = start_child("create-crash", tmp_path / "w")
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "vault written"
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        stop(child)
    vault = (tmp_path / "w" / "wallet.vault").read_bytes()
    assert not (tmp_path / "w" / "wallet.db").exists()
    assert wallet_state(tmp_path / "w") is WalletState.STATE_MISSING
    with pytest.raises(WalletRebuildNeededError, match=r"wallet.db is missing.*Wallet.rebuild"):
        await open_again(devnet, tmp_path / "w")
    with pytest.raises(WalletRebuildNeededError, match="never replaced"):
        await create(devnet, tmp_path / "w", mnemonic=MNEMONIC)
    assert (tmp_path / "w" / "wallet.vault").read_bytes() == vault
    rebuilt = await Wallet.rebuild(
        tmp_path / "w", password=PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=devnet.pool(), idle_timeout=None
    )
    try:
        assert await rebuilt.accounts() == []  # nothing was ever handed out or funded
        await rebuilt.create_account("main")
    finally:
        await rebuilt.close()
    assert (tmp_path / "w" / "wallet.vault").read_bytes() == vault
    again = await open_again(devnet, tmp_path / "w")
    try:
        assert [a.alias for a in await again.accounts()] == ["main"]
    finally:
        await again.close()


async def test_a_database_without_settings_counts_as_unfinished(devnet: Devnet, tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    WalletStore.open(tmp_path / "w" / "wallet.db", create=True).close()  # schema, but no settings yet
    assert wallet_state(tmp_path / "w") is WalletState.INCOMPLETE
    await create_and_reopen(devnet, tmp_path / "w")


async def test_a_foreign_database_file_is_never_removed(devnet: Devnet, tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "wallet.db").write_bytes(b"not a database at all, but someone's file" * 10)
    with pytest.raises(WalletExistsError, match="move it away"):
        await create(devnet, tmp_path / "w")
    assert (tmp_path / "w" / "wallet.db").read_bytes().startswith(b"not a database")


async def test_a_path_that_is_a_file_is_a_storage_error(devnet: Devnet, tmp_path: Path) -> None:
    (tmp_path / "w").write_text("a file, not a directory")
    with pytest.raises(StorageError, match="cannot create the wallet directory"):
        await create(devnet, tmp_path / "w")
