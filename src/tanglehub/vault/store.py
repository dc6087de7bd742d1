"""The vault: one password-encrypted file per wallet holding its BIP39 mnemonic (the Stronghold role).

Life cycle: :meth:`VaultStore.create` a vault with a password, then either :meth:`~VaultStore.generate_mnemonic`
(returned once, as a :class:`OneTimeMnemonic`, for the operator to write down) or
:meth:`~VaultStore.store_mnemonic` (a given one, validated; only once). Later, :meth:`~VaultStore.unlock` with
the password; while unlocked the store derives addresses and signs, and after ``idle_timeout`` seconds without
use (or :meth:`~VaultStore.lock`) it forgets the derived key, the seed and every cached key node.

The seed and private keys never leave this package: the public methods return only public keys, address
hashes, signatures and the *encrypted* file (:meth:`~VaultStore.export_encrypted`). The file format is
described in :mod:`tanglehub.vault.fileformat`; writes are atomic and owner-only (:mod:`tanglehub.vault.fileio`).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tanglehub.errors import KeysError
from tanglehub.keys.bip39 import generate_mnemonic, validate_mnemonic
from tanglehub.keys.slip10 import Bip44
from tanglehub.vault import crypto
from tanglehub.vault.crypto import KdfParams
from tanglehub.vault.errors import (
    MnemonicAlreadyRevealedError,
    MnemonicAlreadyStoredError,
    NoMnemonicError,
    VaultCorruptedError,
    VaultExistsError,
    VaultLockedError,
)
from tanglehub.vault.fileformat import (
    VaultFile,
    VaultHeader,
    decode_plaintext,
    encode_plaintext,
    parse_vault_file,
)
from tanglehub.vault.fileio import atomic_write, read_private
from tanglehub.vault.keychain import Keychain

__all__ = ["DEFAULT_IDLE_TIMEOUT", "OneTimeMnemonic", "VaultStore"]

DEFAULT_IDLE_TIMEOUT = 300.0
"""Seconds of inactivity after which an unlocked vault forgets its keys."""


class OneTimeMnemonic:
    """A freshly generated mnemonic that can be revealed exactly once, then is forgotten.

    Show it to the operator to write down; ``repr``/``str`` never show the words.
    """

    __slots__ = ("_words", "word_count")

    def __init__(self, words: str) -> None:
        self._words: str | None = words
        self.word_count = len(words.split())

    def reveal(self) -> str:
        """Return the words the first time; raise :class:`MnemonicAlreadyRevealedError` afterwards."""
        words, self._words = self._words, None
        if words is None:
            raise MnemonicAlreadyRevealedError(
                "this mnemonic was already revealed once; the vault never shows it again"
            )
        return words

    def __repr__(self) -> str:
        state = "revealed" if self._words is None else "not yet revealed"
        return f"<OneTimeMnemonic {self.word_count} words, hidden, {state}>"

    __str__ = __repr__


class _Unlocked:
    """What the store remembers while unlocked (never shown by repr)."""

    __slots__ = ("header", "key", "keychain")

    def __init__(self, header: VaultHeader, key: bytes, keychain: Keychain | None) -> None:
        self.header = header
        self.key = bytearray(key)
        self.keychain = keychain

    def wipe(self) -> None:
        self.key[:] = bytes(len(self.key))
        if self.keychain is not None:
            self.keychain.wipe()

    def __repr__(self) -> str:
        return "<unlocked vault state>"


def _seal(key: bytes, salt: bytes, kdf: KdfParams, mnemonic: str | None) -> tuple[VaultFile, bytes]:
    header = VaultHeader(
        kdf=kdf,
        salt=salt,
        nonce=crypto.new_nonce(),
        key_check=crypto.key_check(key),
        has_mnemonic=mnemonic is not None,
    )
    plain = encode_plaintext(mnemonic)
    draft = VaultFile(header=header, ciphertext=b"")
    sealed = VaultFile(header=header, ciphertext=crypto.encrypt(key, header.nonce, plain, draft.aad))
    return sealed, sealed.to_bytes()


def _open(vault: VaultFile, password: str) -> tuple[bytes, str | None]:
    """Derive the key and decrypt; wrong password and damage raise distinct errors."""
    key = crypto.derive_key(password, vault.header.salt, vault.header.kdf)
    crypto.verify_key_check(key, vault.header.key_check)
    return key, _decrypt_with(vault, key)


def _decrypt_with(vault: VaultFile, key: bytes) -> str | None:
    plain = crypto.decrypt(key, vault.header.nonce, vault.ciphertext, vault.aad)
    if plain is None:
        raise VaultCorruptedError("vault file failed authentication: the file is damaged or was modified")
    mnemonic = decode_plaintext(plain)
    if (mnemonic is not None) != vault.header.has_mnemonic:
        raise VaultCorruptedError("vault header and contents disagree about whether a mnemonic is stored")
    return mnemonic


def _keychain_for(mnemonic: str | None) -> Keychain | None:
    if mnemonic is None:
        return None
    try:
        return Keychain.from_mnemonic(mnemonic)
    except KeysError:
        raise VaultCorruptedError("the mnemonic stored in the vault is not a valid BIP39 mnemonic") from None


class VaultStore:
    """An encrypted, file-backed secret store for one wallet (thread-safe).

    ``kdf`` sets the Argon2id cost of files this store writes (default :attr:`KdfParams.MODERATE`; tests pass
    :attr:`KdfParams.MINIMUM`). ``idle_timeout`` (seconds, ``None`` = never) locks the vault when it has not
    been used for that long; ``clock`` is the monotonic time source (injectable for tests).
    ``fix_permissions`` repairs a vault file that others can access instead of refusing to open it.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        kdf: KdfParams = KdfParams.MODERATE,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        fix_permissions: bool = False,
    ) -> None:
        self._path = Path(path)
        self._kdf = kdf
        self._idle_timeout = idle_timeout
        self._clock = clock
        self._fix_permissions = fix_permissions
        self._mutex = threading.RLock()
        self._state: _Unlocked | None = None
        self._last_used = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"VaultStore(path={str(self._path)!r}, unlocked={self._state is not None})"

    @property
    def path(self) -> Path:
        """Where the vault file lives."""
        return self._path

    @property
    def exists(self) -> bool:
        """True when a vault file exists at :attr:`path`."""
        return self._path.exists()

    @property
    def is_unlocked(self) -> bool:
        """True while the key is in memory and the idle timeout has not passed (does not refresh it)."""
        with self._mutex:
            self._expire_if_idle()
            return self._state is not None

    @property
    def has_mnemonic(self) -> bool:
        """True when the vault holds a mnemonic (read from the header; no password needed)."""
        with self._mutex:
            if self._state is not None:
                return self._state.header.has_mnemonic
            return self._read().header.has_mnemonic

    # -- locking ---------------------------------------------------------------------------------------

    def create(self, password: str) -> None:
        """Create a new, empty vault file protected by ``password`` and leave it unlocked."""
        crypto.password_bytes(password)
        with self._mutex:
            if self._path.exists():
                raise VaultExistsError(f"a vault file already exists at {self._path}; refusing to overwrite it")
            salt = crypto.new_salt()
            key = crypto.derive_key(password, salt, self._kdf)
            sealed, raw = _seal(key, salt, self._kdf, None)
            atomic_write(self._path, raw)
            self._set_unlocked(_Unlocked(sealed.header, key, None))

    async def create_async(self, password: str) -> None:
        """:meth:`create` in a worker thread, then arm the idle timer on the running event loop."""
        await asyncio.to_thread(self.create, password)
        self._arm_timer()

    def unlock(self, password: str) -> None:
        """Open the vault with ``password``; a wrong one raises :class:`WrongPasswordError` and changes nothing."""
        vault = self._read()
        key, mnemonic = _open(vault, password)
        state = _Unlocked(vault.header, key, _keychain_for(mnemonic))
        with self._mutex:
            self._set_unlocked(state)

    async def unlock_async(self, password: str) -> None:
        """:meth:`unlock` in a worker thread (Argon2id is slow), then arm the idle timer."""
        await asyncio.to_thread(self.unlock, password)
        self._arm_timer()

    def lock(self) -> None:
        """Forget the derived key, the seed and every cached key node."""
        with self._mutex:
            self._cancel_timer()
            if self._state is not None:
                self._state.wipe()
                self._state = None

    # -- the secret ------------------------------------------------------------------------------------

    def generate_mnemonic(self, words: int = 24) -> OneTimeMnemonic:
        """Generate a new mnemonic inside the vault, store it, and return it once for the operator to note."""
        with self._mutex:
            self._check_can_store()
            fresh = generate_mnemonic(words)
            self._store(fresh)
            return OneTimeMnemonic(fresh)

    def store_mnemonic(self, mnemonic: str) -> None:
        """Validate and store an existing mnemonic; refused once the vault holds one."""
        with self._mutex:
            self._check_can_store()
            self._store(validate_mnemonic(mnemonic))

    def change_password(self, old_password: str, new_password: str) -> None:
        """Re-encrypt the vault under ``new_password`` (atomically); ``old_password`` stops working. The file
        keeps the Argon2id parameters it is stored with."""
        crypto.password_bytes(new_password)
        with self._mutex:
            vault = self._read()
            _, mnemonic = _open(vault, old_password)
            salt = crypto.new_salt()
            key = crypto.derive_key(new_password, salt, vault.header.kdf)
            sealed, raw = _seal(key, salt, vault.header.kdf, mnemonic)
            atomic_write(self._path, raw)
            self._set_unlocked(_Unlocked(sealed.header, key, _keychain_for(mnemonic)))

    def export_encrypted(self, password: str | None = None) -> bytes:
        """Return the vault as an encrypted blob for backups.

        Without ``password`` this is the vault file as stored (openable with the vault password). With a
        ``password`` the vault must be unlocked, and the blob is re-encrypted under that backup password.
        """
        with self._mutex:
            vault = self._read()
            if password is None:
                return vault.to_bytes()
            crypto.password_bytes(password)
            state = self._use()
            mnemonic = _decrypt_with(vault, bytes(state.key))
            salt = crypto.new_salt()
            _, raw = _seal(crypto.derive_key(password, salt, self._kdf), salt, self._kdf, mnemonic)
            return raw

    def import_encrypted(self, blob: bytes, password: str, *, overwrite: bool = False) -> None:
        """Install a blob from :meth:`export_encrypted` as this vault and unlock it with ``password``.

        The blob is checked (password, integrity, mnemonic) before anything is written; the vault password
        becomes ``password``. An existing vault file is replaced only with ``overwrite=True``.
        """
        vault = parse_vault_file(bytes(blob))
        key, mnemonic = _open(vault, password)
        state = _Unlocked(vault.header, key, _keychain_for(mnemonic))
        with self._mutex:
            if self._path.exists() and not overwrite:
                state.wipe()
                raise VaultExistsError(
                    f"a vault file already exists at {self._path}; pass overwrite=True to replace it"
                )
            atomic_write(self._path, vault.to_bytes())
            self._set_unlocked(state)

    # -- keys (only public results leave) --------------------------------------------------------------

    def address_hashes(self, coin_type: int, account: int, internal: bool, start: int, count: int) -> list[bytes]:
        """BLAKE2b-256 hashes of the Ed25519 public keys ``start .. start+count-1`` of one BIP44 chain."""
        return self._keychain().address_hashes(coin_type, account, internal, start, count)

    def sign_ed25519(self, message: bytes, chain: Bip44) -> tuple[bytes, bytes]:
        """Sign ``message`` with the key at ``chain``; return (public key, signature)."""
        return self._keychain().sign(message, chain)

    def sign_ed25519_many(self, message: bytes, chains: Sequence[Bip44]) -> list[tuple[bytes, bytes]]:
        """Sign one ``message`` with every chain's key, in order."""
        return self._keychain().sign_many(message, chains)

    # -- internals -------------------------------------------------------------------------------------

    def _read(self) -> VaultFile:
        return parse_vault_file(read_private(self._path, fix_permissions=self._fix_permissions))

    def _set_unlocked(self, state: _Unlocked) -> None:
        if self._state is not None and self._state is not state:
            self._state.wipe()
        self._state = state
        self._last_used = self._clock()

    def _expire_if_idle(self) -> bool:
        if self._state is None or self._idle_timeout is None:
            return False
        if self._clock() - self._last_used >= self._idle_timeout:
            self.lock()
            return True
        return False

    def _use(self) -> _Unlocked:
        with self._mutex:
            if self._expire_if_idle():
                raise VaultLockedError(
                    f"the vault is locked after {self._idle_timeout:g} s without use; unlock it with the password"
                )
            if self._state is None:
                raise VaultLockedError("the vault is locked; unlock it with the password first")
            self._last_used = self._clock()
            return self._state

    def _keychain(self) -> Keychain:
        keychain = self._use().keychain
        if keychain is None:
            raise NoMnemonicError("the vault holds no mnemonic yet; generate or store one first")
        return keychain

    def _check_can_store(self) -> None:
        if self._use().header.has_mnemonic:
            raise MnemonicAlreadyStoredError("the vault already holds a mnemonic; it is never replaced")

    def _store(self, mnemonic: str) -> None:
        state = self._use()
        key = bytes(state.key)
        sealed, raw = _seal(key, state.header.salt, state.header.kdf, mnemonic)
        keychain = _keychain_for(mnemonic)
        atomic_write(self._path, raw)
        self._set_unlocked(_Unlocked(sealed.header, key, keychain))

    def _arm_timer(self) -> None:
        if self._idle_timeout is None:
            return
        loop = asyncio.get_running_loop()
        with self._mutex:
            self._cancel_timer()
            if self._state is None:
                return
            delay = max(0.0, self._last_used + self._idle_timeout - self._clock())
            self._timer = loop.call_later(delay, self._on_timer)
            self._timer_loop = loop

    def _on_timer(self) -> None:
        with self._mutex:
            self._timer = None
            if not self._expire_if_idle() and self._state is not None:
                self._arm_timer()

    def _cancel_timer(self) -> None:
        handle, loop = self._timer, self._timer_loop
        self._timer = self._timer_loop = None
        if handle is None or loop is None:
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            handle.cancel()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(handle.cancel)
