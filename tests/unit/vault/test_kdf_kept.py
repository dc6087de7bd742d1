"""Re-encrypting a vault never weakens it: a new password or a backup export keeps the Argon2id parameters
the vault file was made with, unless the caller explicitly asks for others (issue 7, section 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.unit.vault.conftest import MNEMONIC, PASSWORD

from tanglehub.vault import InvalidKdfParametersError, KdfParams, VaultExistsError, VaultStore
from tanglehub.vault.fileformat import parse_vault_file
from tanglehub.vault.fileio import atomic_write

STRONG = KdfParams(4, 2 * 1024 * 1024)
"""Stronger than MINIMUM and different from MODERATE (the store's default), yet cheap enough for a unit test."""


def _file_kdf(path: Path) -> KdfParams:
    return parse_vault_file(path.read_bytes()).header.kdf


@pytest.fixture
def strong_vault(vault_path: Path) -> Path:
    store = VaultStore(vault_path, kdf=STRONG, idle_timeout=None)
    store.create(PASSWORD)
    store.store_mnemonic(MNEMONIC)
    store.lock()
    assert _file_kdf(vault_path) == STRONG
    return vault_path


def test_change_password_keeps_the_stored_kdf(strong_vault: Path) -> None:
    # Opened the way Wallet.open opens it: no kdf argument, so the store's default (MODERATE) is in play.
    store = VaultStore(strong_vault, idle_timeout=None)
    store.unlock(PASSWORD)
    store.change_password(PASSWORD, "a new password")
    assert _file_kdf(strong_vault) == STRONG
    assert store.stored_kdf == STRONG
    fresh = VaultStore(strong_vault, idle_timeout=None)
    fresh.unlock("a new password")
    assert fresh.has_mnemonic


def test_change_password_uses_explicit_kdf_only_when_asked(strong_vault: Path) -> None:
    store = VaultStore(strong_vault, idle_timeout=None)
    store.change_password(PASSWORD, "a new password", kdf=KdfParams.MINIMUM)
    assert _file_kdf(strong_vault) == KdfParams.MINIMUM
    with pytest.raises(InvalidKdfParametersError, match="KdfParams"):
        store.change_password("a new password", PASSWORD, kdf=(1, 8192))  # type: ignore[arg-type]
    assert _file_kdf(strong_vault) == KdfParams.MINIMUM


def test_export_for_a_backup_keeps_the_stored_kdf(strong_vault: Path) -> None:
    store = VaultStore(strong_vault, idle_timeout=None)
    store.unlock(PASSWORD)
    blob = store.export_encrypted("backup password")
    assert parse_vault_file(blob).header.kdf == STRONG
    cheaper = store.export_encrypted("backup password", kdf=KdfParams.MINIMUM)
    assert parse_vault_file(cheaper).header.kdf == KdfParams.MINIMUM
    assert json.loads(blob)["header"]["kdf"]["salt"] != json.loads(cheaper)["header"]["kdf"]["salt"]


def test_stored_kdf_is_readable_while_locked(strong_vault: Path) -> None:
    assert VaultStore(strong_vault).stored_kdf == STRONG


def test_a_new_vault_never_replaces_one_that_appeared_meanwhile(strong_vault: Path, tmp_path: Path) -> None:
    """The no-clobber write behind VaultStore.create: even past the exists check, an existing vault stays."""
    before = strong_vault.read_bytes()
    with pytest.raises(VaultExistsError, match="refusing to overwrite"):
        atomic_write(strong_vault, b"a new, empty vault", replace=False)
    assert strong_vault.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [strong_vault.name]  # no temporary file left
    fresh = tmp_path / "other.vault"
    atomic_write(fresh, b"data", replace=False)
    assert fresh.read_bytes() == b"data"
    assert fresh.stat().st_mode & 0o777 == 0o600
