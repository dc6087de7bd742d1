"""Review 1 findings in the wallet library: a backup never replaces a wallet's own files (2), aliases that
read as an index are refused (5), aliases that differ only by case, width or accents clash (16), and an
error never echoes a value that could be a mnemonic (9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tanglehub.errors import TanglehubError
from tanglehub.vault import KdfParams
from tanglehub.wallet import AccountAliasTakenError, BackupError, WalletArgumentError

PW = "backup pass phrase"


async def test_a_backup_never_replaces_a_wallets_vault_or_database(wallet_factory, tmp_path: Path) -> None:
    wallet = await wallet_factory("own")
    other = await wallet_factory("other")
    vault_before = (wallet.path / "wallet.vault").read_bytes()
    for dest in (
        wallet.path / "wallet.vault",
        wallet.path / "wallet.db",
        wallet.path / "wallet.db-wal",
        wallet.path / "sub" / ".." / "wallet.vault",
        wallet.path / "backup.file",
        other.path / "wallet.vault",
        other.path / "wallet.db",
    ):
        with pytest.raises(BackupError, match="must never replace a wallet's vault"):
            await wallet.backup(dest, PW, kdf=KdfParams.MINIMUM, overwrite=True)
    link = tmp_path / "innocent.backup"
    link.symlink_to(wallet.path / "wallet.vault")
    with pytest.raises(BackupError, match="this wallet's directory"):
        await wallet.backup(link, PW, kdf=KdfParams.MINIMUM, overwrite=True)
    assert (wallet.path / "wallet.vault").read_bytes() == vault_before
    # a file named wallet.vault where no wallet lives is an ordinary destination
    (tmp_path / "plain").mkdir()
    assert (await wallet.backup(tmp_path / "plain" / "wallet.vault", PW, kdf=KdfParams.MINIMUM)).exists()


async def test_aliases_that_read_as_an_index_or_differ_only_in_form_are_refused(wallet_factory) -> None:
    wallet = await wallet_factory(alias=None)
    for digits in ("1", "007", "١٢"):
        with pytest.raises(WalletArgumentError, match="must not be all digits"):
            await wallet.create_account(digits)
    alice = await wallet.create_account("alice")
    for clash in ("ALİCE", "Alice", "\uff41\uff4c\uff49\uff43\uff45", "alicé"):
        with pytest.raises(AccountAliasTakenError, match="already exists"):
            await wallet.create_account(clash)
        assert (await wallet.get_account(clash)).index == alice.index
    assert [a.alias for a in await wallet.accounts()] == ["alice"]
    await wallet.create_account("user-1")


async def test_an_error_never_echoes_a_mnemonic_typed_in_the_wrong_place(wallet_factory) -> None:
    wallet = await wallet_factory()
    main = await wallet.get_account("main")
    words = (
        "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot "
        "shallow glad autumn author calm heavy hawk abuse rally"
    )
    for attempt in (
        lambda: main.send(1_000_000, words),
        lambda: wallet.get_account(words),
        lambda: wallet.find_account_by_address(words),
        lambda: main.address_record(words),
        lambda: wallet.create_account(words[:60] + "\n"),
    ):
        with pytest.raises(TanglehubError) as caught:
            await attempt()
        text = str(caught.value)
        assert not set(re.findall(r"[a-z]+", text)) & set(words.split()), text
        assert "<hidden:" in text, text
