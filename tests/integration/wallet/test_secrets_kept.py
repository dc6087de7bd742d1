"""Nothing weakens or silently replaces a stored secret (issue 7, section 1): ``Wallet.change_password`` keeps
the vault's Argon2id strength, a backup is as strong as the vault unless told otherwise, and ``backup()``
refuses to replace an existing file unless ``overwrite=True``."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.wallet_fixtures import MNEMONIC, PASSWORD, Devnet, open_again

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams, WrongPasswordError
from tanglehub.vault.fileformat import parse_vault_file
from tanglehub.wallet import BackupExistsError, Wallet, WalletArgumentError
from tanglehub.wallet.backup import read_backup

STRONG = KdfParams(4, 2 * 1024 * 1024)
"""Not the library default (MODERATE), cheap enough for a test."""
BACKUP_PASSWORD = "backup pass phrase"


async def _strong_wallet(devnet: Devnet, directory: Path) -> Wallet:
    wallet = await Wallet.create(
        directory,
        password=PASSWORD,
        coin_type=SHIMMER_COIN_TYPE,
        pool=devnet.pool(),
        mnemonic=MNEMONIC,
        kdf=STRONG,
        idle_timeout=None,
    )
    await wallet.create_account("main")
    return wallet


def _vault_kdf(directory: Path) -> KdfParams:
    return parse_vault_file((directory / "wallet.vault").read_bytes()).header.kdf


async def test_wallet_change_password_keeps_the_vault_strength(devnet: Devnet, tmp_path: Path) -> None:
    await (await _strong_wallet(devnet, tmp_path / "w")).close()
    wallet = await open_again(devnet, tmp_path / "w")  # opened without a kdf argument, as users do
    try:
        with pytest.raises(WrongPasswordError):
            await wallet.change_password("not the password", "new secret")
        assert _vault_kdf(tmp_path / "w") == STRONG
        await wallet.change_password(PASSWORD, "new secret")
        assert _vault_kdf(tmp_path / "w") == STRONG
        account = await wallet.get_account("main")
        await account.generate_address()  # the vault is still unlocked and derives keys
        with pytest.raises(WalletArgumentError):
            await wallet.change_password("new secret", "")
    finally:
        await wallet.close()
    with pytest.raises(WrongPasswordError):
        await open_again(devnet, tmp_path / "w")
    again = await Wallet.open(tmp_path / "w", password="new secret", pool=devnet.pool(), idle_timeout=None)
    try:
        await again.change_password("new secret", PASSWORD, kdf=KdfParams.MINIMUM)  # explicit: honoured
        assert _vault_kdf(tmp_path / "w") == KdfParams.MINIMUM
    finally:
        await again.close()


async def test_backup_keeps_the_vault_strength_and_never_replaces_a_file(devnet: Devnet, tmp_path: Path) -> None:
    wallet = await _strong_wallet(devnet, tmp_path / "w")
    try:
        dest = await wallet.backup(tmp_path / "one.backup", BACKUP_PASSWORD)
        header, vault_blob, _ = read_backup(dest.read_bytes(), BACKUP_PASSWORD)
        assert header.kdf == STRONG
        assert parse_vault_file(vault_blob).header.kdf == STRONG
        first = dest.read_bytes()

        with pytest.raises(BackupExistsError, match=r"already exists.*overwrite=True"):
            await wallet.backup(dest, BACKUP_PASSWORD, kdf=KdfParams.MINIMUM)
        assert dest.read_bytes() == first

        existing = tmp_path / "someone-elses-file"
        existing.write_text("precious")
        with pytest.raises(BackupExistsError):
            await wallet.backup(existing, BACKUP_PASSWORD, kdf=KdfParams.MINIMUM)
        assert existing.read_text() == "precious"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["one.backup", "someone-elses-file", "w"]

        await wallet.backup(dest, BACKUP_PASSWORD, kdf=KdfParams.MINIMUM, overwrite=True)
        assert dest.read_bytes() != first
        assert read_backup(dest.read_bytes(), BACKUP_PASSWORD)[0].kdf == KdfParams.MINIMUM
        with pytest.raises(WalletArgumentError, match="overwrite"):
            await wallet.backup(dest, BACKUP_PASSWORD, overwrite="yes")  # type: ignore[arg-type]
    finally:
        await wallet.close()
