"""The vault file on disk: tamper detection, format versioning, permissions, atomic replacement, no leaks."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tanglehub.keys.address import derive_address_hashes
from tanglehub.keys.bip39 import mnemonic_to_seed
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE, Bip44
from tanglehub.vault import (
    InsecurePermissionsError,
    KdfParams,
    MnemonicSigner,
    UnsupportedVaultVersionError,
    VaultCorruptedError,
    VaultError,
    VaultIOError,
    VaultSigner,
    VaultStore,
    WrongPasswordError,
)
from tanglehub.vault.crypto import derive_key, encrypt
from tanglehub.vault.fileformat import VaultFile, parse_vault_file

from .conftest import MNEMONIC, PASSWORD

CHAIN = Bip44(SHIMMER_COIN_TYPE, 1, 0, 5)


def _rewrite(path: Path, edit: Callable[[dict[str, object]], None]) -> None:
    doc = json.loads(path.read_bytes())
    edit(doc)
    path.write_text(json.dumps(doc))


def test_file_mode_is_0600_even_with_a_permissive_umask(
    make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    old = os.umask(0)
    try:
        store = make_store()
        store.create(PASSWORD)
        assert vault_path.stat().st_mode & 0o777 == 0o600
        store.store_mnemonic(MNEMONIC)
        assert vault_path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    assert [p.name for p in vault_path.parent.iterdir()] == [vault_path.name]  # no temp files left behind


def test_loose_mode_is_refused_with_a_fix(
    filled_store: VaultStore, make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    vault_path.chmod(0o644)
    with pytest.raises(InsecurePermissionsError, match="chmod 600"):
        make_store().unlock(PASSWORD)
    make_store(fix_permissions=True).unlock(PASSWORD)
    assert vault_path.stat().st_mode & 0o777 == 0o600


def test_crash_between_write_and_replace_keeps_the_old_file(
    filled_store: VaultStore,
    make_store: Callable[..., VaultStore],
    vault_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = vault_path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(5, "simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(VaultIOError, match="cannot write vault file"):
        filled_store.change_password(PASSWORD, "new password")
    monkeypatch.undo()
    assert vault_path.read_bytes() == before
    assert [p.name for p in vault_path.parent.iterdir()] == [vault_path.name]
    reopened = make_store()
    with pytest.raises(WrongPasswordError):
        reopened.unlock("new password")
    reopened.unlock(PASSWORD)
    assert reopened.sign_ed25519(b"m", CHAIN)


def test_completed_replace_leaves_the_new_file(
    filled_store: VaultStore, make_store: Callable[..., VaultStore]
) -> None:
    filled_store.change_password(PASSWORD, "new password")
    make_store().unlock("new password")


@pytest.mark.parametrize(
    ("field", "what"),
    [("ciphertext", "ciphertext"), ("salt", "salt"), ("nonce", "nonce"), ("keyCheck", "key check")],
)
def test_flipped_byte_is_reported_as_corruption(
    filled_store: VaultStore, make_store: Callable[..., VaultStore], vault_path: Path, field: str, what: str
) -> None:
    def flip(doc: dict[str, object]) -> None:
        header = doc["header"]
        assert isinstance(header, dict)
        holder = {"ciphertext": doc, "salt": header["kdf"], "nonce": header["cipher"], "keyCheck": header}[field]
        raw = bytearray(base64.b64decode(holder[field]))
        raw[len(raw) // 2] ^= 0x01
        holder[field] = base64.b64encode(bytes(raw)).decode()

    _rewrite(vault_path, flip)
    with pytest.raises(VaultCorruptedError, match="checksum"):
        make_store().unlock(PASSWORD)


def test_header_change_is_reported_as_corruption(
    filled_store: VaultStore, make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    def edit(doc: dict[str, object]) -> None:
        doc["header"]["hasMnemonic"] = False  # type: ignore[index]

    _rewrite(vault_path, edit)
    with pytest.raises(VaultCorruptedError):
        make_store().unlock(PASSWORD)


def test_tampering_that_fixes_up_the_checksum_is_still_caught(
    filled_store: VaultStore, make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    vault = parse_vault_file(vault_path.read_bytes())
    damaged = bytearray(vault.ciphertext)
    damaged[0] ^= 0x80
    vault_path.write_bytes(VaultFile(vault.header, bytes(damaged)).to_bytes())  # recomputes the checksum
    with pytest.raises(VaultCorruptedError, match="failed authentication"):
        make_store().unlock(PASSWORD)


def test_truncated_and_foreign_files(
    filled_store: VaultStore, make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    raw = vault_path.read_bytes()
    vault_path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(VaultCorruptedError, match="not valid JSON"):
        make_store().unlock(PASSWORD)
    vault_path.write_text('{"hello": "world"}')
    with pytest.raises(VaultCorruptedError, match="not a tanglehub vault"):
        make_store().unlock(PASSWORD)


def test_future_format_version_is_refused(
    filled_store: VaultStore, make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    _rewrite(vault_path, lambda doc: doc.update(version=2))
    with pytest.raises(UnsupportedVaultVersionError, match="version 2"):
        make_store().unlock(PASSWORD)


def test_hostile_kdf_parameters_are_refused_before_deriving(
    filled_store: VaultStore, make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    _rewrite(vault_path, lambda doc: doc["header"]["kdf"].update(memlimit=2**50))  # type: ignore[index]
    with pytest.raises(VaultCorruptedError, match="key derivation parameters"):
        make_store().unlock(PASSWORD)


def test_valid_ciphertext_with_an_invalid_mnemonic(
    make_store: Callable[..., VaultStore], vault_path: Path
) -> None:
    store = make_store()
    store.create(PASSWORD)
    vault = parse_vault_file(vault_path.read_bytes())
    header = type(vault.header)(
        vault.header.kdf, vault.header.salt, vault.header.nonce, vault.header.key_check, True
    )
    key = derive_key(PASSWORD, header.salt, header.kdf)
    aad = VaultFile(header, b"").aad
    forged = VaultFile(header, encrypt(key, header.nonce, b'{"mnemonic":"abandon abandon"}', aad))
    vault_path.write_bytes(forged.to_bytes())
    with pytest.raises(VaultCorruptedError, match="not a valid BIP39"):
        make_store().unlock(PASSWORD)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255))
def test_any_single_byte_change_is_caught_or_harmless(
    tmp_path_factory: pytest.TempPathFactory, position: int, mask: int
) -> None:
    path = _pristine(tmp_path_factory)
    raw = bytearray(path.read_bytes())
    raw[position % len(raw)] ^= mask
    target = path.with_name(f"mutant-{os.getpid()}.vault")
    target.write_bytes(bytes(raw))
    target.chmod(0o600)
    store = VaultStore(target, kdf=_pristine_kdf)
    try:
        store.unlock(PASSWORD)
    except (VaultCorruptedError, UnsupportedVaultVersionError):
        return
    # the change was to JSON layout only (e.g. whitespace): the same keys come out
    assert store.address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 1) == _PRISTINE_HASH


_pristine_cache: dict[str, Path] = {}
_pristine_kdf = KdfParams.MINIMUM
_PRISTINE_HASH = derive_address_hashes(mnemonic_to_seed(MNEMONIC), SHIMMER_COIN_TYPE, 0, False, 0, 1)


def _pristine(factory: pytest.TempPathFactory) -> Path:
    if "path" not in _pristine_cache:
        path = factory.mktemp("pristine") / "pristine.vault"
        store = VaultStore(path, kdf=_pristine_kdf)
        store.create(PASSWORD)
        store.store_mnemonic(MNEMONIC)
        _pristine_cache["path"] = path
    return _pristine_cache["path"]


def _with_decoded_base64(blob: bytes) -> list[bytes]:
    """``blob`` plus every base64 string inside it (if it is JSON), decoded: a secret that was merely
    base64-encoded rather than encrypted is found too."""
    parts = [blob]
    try:
        doc = json.loads(blob)
    except ValueError:
        return parts
    stack: list[object] = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            with contextlib.suppress(ValueError):
                parts.append(base64.b64decode(value, validate=True))
    return parts


async def test_no_secret_in_file_repr_or_errors(filled_store: VaultStore, vault_path: Path) -> None:
    seed = mnemonic_to_seed(MNEMONIC)
    raw = vault_path.read_bytes()
    exported = filled_store.export_encrypted()
    words = MNEMONIC.split()
    # Any two consecutive words of a leaked mnemonic would show; base64 and hex never hold a space, so unlike
    # single (short) words, a pair cannot turn up in random ciphertext by chance.
    pairs = [f"{a} {b}".encode() for a, b in itertools.pairwise(words)]
    for blob in (raw, exported, filled_store.export_encrypted("backup pw")):
        for part in _with_decoded_base64(blob):
            lowered = part.lower()
            assert not [p for p in pairs if p in lowered]
            assert seed.hex().encode() not in lowered
            assert seed not in part
            assert PASSWORD.encode() not in part

    signer = VaultSigner(filled_store)
    texts = [
        repr(filled_store),
        str(filled_store),
        repr(signer),
        repr(filled_store._state),
        repr(MnemonicSigner(MNEMONIC)),
    ]
    texts.append(repr(parse_vault_file(raw)))
    texts.append(repr(filled_store._state.keychain if filled_store._state else None))
    errors: list[VaultError] = []
    for attempt in (
        lambda: filled_store.unlock(PASSWORD + "x"),
        lambda: filled_store.store_mnemonic(MNEMONIC),
        lambda: filled_store.change_password(PASSWORD + "x", PASSWORD),
    ):
        with pytest.raises(VaultError) as info:
            attempt()
        errors.append(info.value)
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    for text in texts:
        assert not [w for w in words if w in text.split()], text
        assert seed.hex() not in text
        assert PASSWORD not in text
