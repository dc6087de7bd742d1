"""VaultStore life cycle: create, store/generate, unlock, lock, change password, export/import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tanglehub.keys.bip39 import validate_mnemonic
from tanglehub.keys.ed25519 import verify
from tanglehub.keys.errors import MnemonicError
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE, Bip44
from tanglehub.vault import (
    InvalidPasswordError,
    MnemonicAlreadyRevealedError,
    MnemonicAlreadyStoredError,
    NoMnemonicError,
    VaultExistsError,
    VaultLockedError,
    VaultNotFoundError,
    VaultStore,
    WrongPasswordError,
)

from .conftest import MNEMONIC, PASSWORD

CHAIN = Bip44(SHIMMER_COIN_TYPE, 0, 0, 3)
MESSAGE = bytes(range(32))


def test_round_trip_create_store_reopen_sign(make_store: Callable[..., VaultStore]) -> None:
    first = make_store()
    first.create(PASSWORD)
    first.store_mnemonic(MNEMONIC)
    expected = first.sign_ed25519(MESSAGE, CHAIN)
    first.lock()

    second = make_store()
    assert not second.is_unlocked
    assert second.has_mnemonic
    second.unlock(PASSWORD)
    public, signature = second.sign_ed25519(MESSAGE, CHAIN)
    assert (public, signature) == expected
    assert verify(public, MESSAGE, signature)


def test_signing_before_unlock_is_refused(filled_store: VaultStore) -> None:
    filled_store.lock()
    with pytest.raises(VaultLockedError, match="locked"):
        filled_store.sign_ed25519(MESSAGE, CHAIN)
    with pytest.raises(VaultLockedError):
        filled_store.address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 1)


def test_wrong_password_then_right_password(
    filled_store: VaultStore, make_store: Callable[..., VaultStore]
) -> None:
    expected = filled_store.address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 2)
    store = make_store()
    for _ in range(3):
        with pytest.raises(WrongPasswordError) as info:
            store.unlock("not the password")
        assert info.value.code == "VAULT_WRONG_PASSWORD"
        assert not store.is_unlocked
    store.unlock(PASSWORD)
    assert store.address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 2) == expected


def test_wrong_password_keeps_an_unlocked_vault_usable(filled_store: VaultStore) -> None:
    with pytest.raises(WrongPasswordError):
        filled_store.unlock("guess")
    assert filled_store.sign_ed25519(MESSAGE, CHAIN)


def test_change_password(
    filled_store: VaultStore, make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    before = vault_path.read_bytes()
    expected = filled_store.sign_ed25519(MESSAGE, CHAIN)
    with pytest.raises(WrongPasswordError):
        filled_store.change_password("wrong old password", "new password")
    filled_store.change_password(PASSWORD, "a brand new password")
    after = vault_path.read_bytes()
    assert after != before
    old_doc, new_doc = json.loads(before), json.loads(after)
    assert old_doc["header"]["kdf"]["salt"] != new_doc["header"]["kdf"]["salt"]
    assert old_doc["ciphertext"] != new_doc["ciphertext"]
    assert vault_path.stat().st_mode & 0o777 == 0o600
    assert filled_store.sign_ed25519(MESSAGE, CHAIN) == expected

    fresh = make_store()
    with pytest.raises(WrongPasswordError):
        fresh.unlock(PASSWORD)
    fresh.unlock("a brand new password")
    assert fresh.sign_ed25519(MESSAGE, CHAIN) == expected


def test_storing_a_second_mnemonic_is_refused(filled_store: VaultStore) -> None:
    other = validate_mnemonic("abandon " * 23 + "art")
    with pytest.raises(MnemonicAlreadyStoredError, match="already holds a mnemonic"):
        filled_store.store_mnemonic(other)
    with pytest.raises(MnemonicAlreadyStoredError):
        filled_store.generate_mnemonic()


def test_invalid_mnemonic_is_rejected_and_nothing_stored(make_store: Callable[..., VaultStore]) -> None:
    store = make_store()
    store.create(PASSWORD)
    with pytest.raises(MnemonicError):
        store.store_mnemonic("abandon " * 24)
    assert not store.has_mnemonic
    with pytest.raises(NoMnemonicError, match="no mnemonic"):
        store.sign_ed25519(MESSAGE, CHAIN)


def test_generate_mnemonic_is_revealed_once(make_store: Callable[..., VaultStore]) -> None:
    store = make_store()
    store.create(PASSWORD)
    secret = store.generate_mnemonic()
    assert secret.word_count == 24
    words = secret.reveal()
    assert words not in repr(secret)
    assert words.split()[0] not in str(secret)
    with pytest.raises(MnemonicAlreadyRevealedError):
        secret.reveal()
    assert validate_mnemonic(words) == words
    assert store.has_mnemonic
    # the vault signs with the generated mnemonic: the same keys come back after reopening
    hashes = store.address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 1)
    store.lock()
    store.unlock(PASSWORD)
    assert store.address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 1) == hashes


def test_create_refuses_to_overwrite(filled_store: VaultStore, make_store: Callable[..., VaultStore]) -> None:
    with pytest.raises(VaultExistsError):
        make_store().create("another password")
    make_store().unlock(PASSWORD)


def test_unlock_missing_file(make_store: Callable[..., VaultStore]) -> None:
    with pytest.raises(VaultNotFoundError, match="no vault file"):
        make_store().unlock(PASSWORD)


@pytest.mark.parametrize("password", ["", 42, None])
def test_unusable_passwords(make_store: Callable[..., VaultStore], password: object) -> None:
    with pytest.raises(InvalidPasswordError):
        make_store().create(password)  # type: ignore[arg-type]


def test_unicode_password_normalization(make_store: Callable[..., VaultStore]) -> None:
    store = make_store()
    store.create("caf\u00e9 pass")  # precomposed e-acute
    store.lock()
    store.unlock("cafe\u0301 pass")  # e + combining acute: the same text, normalized alike
    assert store.is_unlocked


def test_lock_wipes_everything(filled_store: VaultStore) -> None:
    filled_store.sign_ed25519(MESSAGE, CHAIN)
    state = filled_store._state
    assert state is not None
    keychain = state.keychain
    assert keychain is not None
    filled_store.lock()
    assert not filled_store.is_unlocked
    assert keychain.wiped
    assert bytes(state.key) == bytes(len(state.key))


def test_export_import_on_another_machine(filled_store: VaultStore, tmp_path: Path) -> None:
    expected = filled_store.sign_ed25519(MESSAGE, CHAIN)
    blob = filled_store.export_encrypted()
    assert " ".join(MNEMONIC.split()[:2]).encode() not in blob  # a word pair: random base64 never holds a space

    elsewhere = VaultStore(tmp_path / "other" / "restored.vault", kdf=filled_store._kdf)
    (tmp_path / "other").mkdir()
    with pytest.raises(WrongPasswordError):
        elsewhere.import_encrypted(blob, "wrong")
    assert not elsewhere.exists
    elsewhere.import_encrypted(blob, PASSWORD)
    assert elsewhere.path.stat().st_mode & 0o777 == 0o600
    assert elsewhere.sign_ed25519(MESSAGE, CHAIN) == expected
    with pytest.raises(VaultExistsError):
        elsewhere.import_encrypted(blob, PASSWORD)


def test_export_under_a_backup_password(filled_store: VaultStore, tmp_path: Path) -> None:
    expected = filled_store.sign_ed25519(MESSAGE, CHAIN)
    blob = filled_store.export_encrypted("backup password")
    restored = VaultStore(tmp_path / "restored.vault", kdf=filled_store._kdf)
    with pytest.raises(WrongPasswordError):
        restored.import_encrypted(blob, PASSWORD)
    restored.import_encrypted(blob, "backup password")
    assert restored.sign_ed25519(MESSAGE, CHAIN) == expected
    filled_store.lock()
    with pytest.raises(VaultLockedError):
        filled_store.export_encrypted("backup password")


def test_kdf_parameters_are_recorded(make_store: Callable[..., VaultStore], vault_path: Path) -> None:
    from tanglehub.vault import KdfParams

    make_store(kdf=KdfParams.INTERACTIVE).create(PASSWORD)
    kdf = json.loads(vault_path.read_bytes())["header"]["kdf"]
    assert (kdf["opslimit"], kdf["memlimit"]) == (KdfParams.INTERACTIVE.opslimit, KdfParams.INTERACTIVE.memlimit)
    # a store configured with other parameters still opens the file with the recorded ones
    make_store(kdf=KdfParams.MINIMUM).unlock(PASSWORD)


def test_default_kdf_is_moderate(vault_path: Path) -> None:
    from tanglehub.vault import KdfParams

    assert VaultStore(vault_path)._kdf == KdfParams.MODERATE
    assert KdfParams.MODERATE.memlimit >= 256 * 1024 * 1024
