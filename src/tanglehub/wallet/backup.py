"""Encrypted wallet backups: the vault (re-encrypted under the backup password) and a consistent snapshot of
the state database, in one file that restores on another machine.

File layout (all integers big-endian)::

    magic      b"TANGLEHUB-WALLET-BACKUP\\x00"              24 bytes
    u32        header length H
    header     H bytes of canonical JSON: {"version": 1, "kdf": {"opslimit", "memlimit", "salt"},
               "nonce", "keyCheck", "coinType", "networkName", "bech32Hrp", "createdAt"}
    body       XChaCha20-Poly1305 ciphertext of: u32 vault length || vault blob || database snapshot
    checksum   32 bytes: BLAKE2b-256 of everything before it

The key is Argon2id of the backup password; magic + header are the associated data, so coin type and
network in the header cannot be changed without failing authentication. The crypto primitives are the
vault's own (:mod:`tanglehub.vault.crypto`); the vault blob is the vault's encrypted export. The checksum
separates a damaged file from a wrong password before any key is derived.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tanglehub.node import NodePool, TransportFactory
from tanglehub.vault import KdfParams, VaultStore, WrongPasswordError
from tanglehub.vault import crypto as vault_crypto
from tanglehub.vault.errors import InvalidKdfParametersError, VaultError
from tanglehub.vault.fileio import atomic_write
from tanglehub.wallet.errors import (
    BackupCorruptedError,
    BackupError,
    BackupExistsError,
    BackupWrongPasswordError,
    CoinTypeMismatchError,
    StorageError,
    WalletExistsError,
    WalletNetworkMismatchError,
    WalletRebuildNeededError,
)
from tanglehub.wallet.layout import (
    VAULT_FILE_NAME,
    WalletState,
    check_state,
    remove_leftovers,
    state_error,
    wallet_state,
)
from tanglehub.wallet.lock import LOCK_FILE_NAME, WalletLock
from tanglehub.wallet.operations.discovery import RESTORE_SCAN_KEY
from tanglehub.wallet.settings import WalletSettings, check_network, make_directory, make_pool
from tanglehub.wallet.storage import DB_FILE_NAME, WalletStore

if TYPE_CHECKING:
    from tanglehub.wallet.wallet import Wallet

__all__ = [
    "BACKUP_MAGIC",
    "BACKUP_VERSION",
    "BackupHeader",
    "check_backup_destination",
    "read_backup",
    "restore_backup",
    "write_backup",
]

BACKUP_MAGIC = b"TANGLEHUB-WALLET-BACKUP\x00"
BACKUP_VERSION = 1
_CHECKSUM = 32
_MAX_HEADER = 64 * 1024


@dataclass(frozen=True, slots=True)
class BackupHeader:
    """The authenticated, unencrypted part of a backup: what it is for and how its key is derived."""

    kdf: KdfParams
    salt: bytes
    nonce: bytes
    key_check: bytes
    coin_type: int
    network_name: str
    bech32_hrp: str
    created_at: int

    def to_bytes(self) -> bytes:
        """Canonical JSON of the header."""
        obj = {
            "version": BACKUP_VERSION,
            "kdf": {
                "opslimit": self.kdf.opslimit,
                "memlimit": self.kdf.memlimit,
                "salt": base64.b64encode(self.salt).decode(),
            },
            "nonce": base64.b64encode(self.nonce).decode(),
            "keyCheck": base64.b64encode(self.key_check).decode(),
            "coinType": self.coin_type,
            "networkName": self.network_name,
            "bech32Hrp": self.bech32_hrp,
            "createdAt": self.created_at,
        }
        return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> BackupHeader:
        """Parse a header; anything malformed raises :class:`BackupCorruptedError`."""
        try:
            obj: Any = json.loads(data.decode("ascii"))
            if obj["version"] != BACKUP_VERSION:
                raise BackupError(
                    f"backup format version {obj['version']} is not supported "
                    f"(this tanglehub reads {BACKUP_VERSION})"
                )
            kdf = obj["kdf"]
            return cls(
                kdf=KdfParams(int(kdf["opslimit"]), int(kdf["memlimit"])),
                salt=base64.b64decode(kdf["salt"], validate=True),
                nonce=base64.b64decode(obj["nonce"], validate=True),
                key_check=base64.b64decode(obj["keyCheck"], validate=True),
                coin_type=int(obj["coinType"]),
                network_name=str(obj["networkName"]),
                bech32_hrp=str(obj["bech32Hrp"]),
                created_at=int(obj["createdAt"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error, InvalidKdfParametersError) as exc:
            raise BackupCorruptedError(f"the backup header is malformed: {exc}") from exc


def _pack(vault_blob: bytes, db: bytes) -> bytes:
    return len(vault_blob).to_bytes(4, "big") + vault_blob + db


def _unpack(plain: bytes) -> tuple[bytes, bytes]:
    if len(plain) < 4:
        raise BackupCorruptedError("the backup contents are truncated")
    n = int.from_bytes(plain[:4], "big")
    if 4 + n > len(plain):
        raise BackupCorruptedError("the backup contents are truncated")
    return plain[4 : 4 + n], plain[4 + n :]


def encode_backup(
    vault_blob: bytes,
    db: bytes,
    password: str,
    *,
    coin_type: int,
    network_name: str,
    bech32_hrp: str,
    kdf: KdfParams,
) -> bytes:
    """Seal a vault blob and database snapshot under ``password`` (slow: Argon2id)."""
    salt = vault_crypto.new_salt()
    key = vault_crypto.derive_key(password, salt, kdf)
    header = BackupHeader(
        kdf,
        salt,
        vault_crypto.new_nonce(),
        vault_crypto.key_check(key),
        coin_type,
        network_name,
        bech32_hrp,
        int(time.time()),
    )
    head = header.to_bytes()
    aad = BACKUP_MAGIC + head
    body = vault_crypto.encrypt(key, header.nonce, _pack(vault_blob, db), aad)
    data = aad[: len(BACKUP_MAGIC)] + len(head).to_bytes(4, "big") + head + body
    return data + hashlib.blake2b(data, digest_size=_CHECKSUM).digest()


def read_backup(data: bytes, password: str) -> tuple[BackupHeader, bytes, bytes]:
    """Check and open a backup: (header, vault blob, database snapshot) (slow: Argon2id)."""
    if len(data) < len(BACKUP_MAGIC) + 4 + _CHECKSUM or not data.startswith(BACKUP_MAGIC):
        raise BackupCorruptedError("this is not a tanglehub wallet backup file")
    content, checksum = data[:-_CHECKSUM], data[-_CHECKSUM:]
    if hashlib.blake2b(content, digest_size=_CHECKSUM).digest() != checksum:
        raise BackupCorruptedError("the backup file is damaged (its checksum does not match)")
    at = len(BACKUP_MAGIC)
    head_len = int.from_bytes(content[at : at + 4], "big")
    if head_len > _MAX_HEADER or at + 4 + head_len > len(content):
        raise BackupCorruptedError("the backup header length is out of range")
    head = content[at + 4 : at + 4 + head_len]
    header = BackupHeader.from_bytes(head)
    key = vault_crypto.derive_key(password, header.salt, header.kdf)
    try:
        vault_crypto.verify_key_check(key, header.key_check)
    except WrongPasswordError:
        raise BackupWrongPasswordError("wrong backup password") from None
    plain = vault_crypto.decrypt(key, header.nonce, content[at + 4 + head_len :], BACKUP_MAGIC + head)
    if plain is None:
        raise BackupCorruptedError("the backup failed authentication: it is damaged or was modified")
    vault_blob, db = _unpack(plain)
    return header, vault_blob, db


def _write_new(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` (mode 0600, durably) only if ``dest`` does not exist: the bytes go to a
    temporary file that is then hard-linked to ``dest``, which fails atomically when ``dest`` appeared."""
    tmp = dest.parent / f".{dest.name}.{secrets.token_hex(6)}.tmp"
    atomic_write(tmp, data)
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise BackupExistsError(
            f"{dest} already exists; choose another file name, or pass overwrite=True to replace it"
        ) from None
    except OSError as exc:
        raise BackupError(f"cannot write the backup file {dest}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


async def write_backup(
    wallet: Wallet,
    dest: Path,
    backup_password: str,
    *,
    kdf: KdfParams | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``wallet``'s backup to ``dest`` (mode 0600); the vault must be unlocked.

    ``kdf`` is the Argon2id cost of the backup password (default: the vault's own stored parameters, so a
    backup is never weaker than the vault). An existing ``dest`` is refused with :class:`BackupExistsError`
    unless ``overwrite`` is true (then it is replaced atomically)."""
    vault_crypto.password_bytes(backup_password)
    check_backup_destination(wallet.path, dest)
    params = kdf if kdf is not None else await asyncio.to_thread(lambda: wallet.vault.stored_kdf)
    if not overwrite and dest.exists():
        raise BackupExistsError(
            f"{dest} already exists; choose another file name, or pass overwrite=True to replace it"
        )
    vault_blob = await asyncio.to_thread(wallet.vault.export_encrypted, backup_password, kdf=params)
    db = await wallet.store.snapshot()
    data = await asyncio.to_thread(
        encode_backup,
        vault_blob,
        db,
        backup_password,
        coin_type=wallet.coin_type,
        network_name=wallet.network_name,
        bech32_hrp=wallet.bech32_hrp,
        kdf=params,
    )
    await asyncio.to_thread(atomic_write if overwrite else _write_new, dest, data)
    return dest


_WALLET_FILES = frozenset(
    {VAULT_FILE_NAME, LOCK_FILE_NAME, *(DB_FILE_NAME + s for s in ("", "-wal", "-shm", "-journal"))}
)


def check_backup_destination(wallet_dir: Path, dest: Path) -> None:
    """Refuse a backup destination that would replace a wallet's own files, whatever ``overwrite`` says:
    anything inside this wallet's directory, the directory itself, and a ``wallet.vault`` / ``wallet.db`` /
    ``wallet.lock`` (or the database's ``-wal``/``-shm``/``-journal``) next to another wallet's files. The
    path is resolved first (symbolic links and ``..`` followed). Raises :class:`BackupError`."""
    own = wallet_dir.resolve()
    target = dest.resolve()
    inside = target == own or own in target.parents
    other_wallet = target.name in _WALLET_FILES and any(
        (target.parent / name).exists() for name in (VAULT_FILE_NAME, DB_FILE_NAME)
    )
    if inside or other_wallet:
        whose = "this wallet's directory" if inside else "a wallet's own files"
        raise BackupError(
            f"{dest} is in {whose} ({target}); a backup must never replace a wallet's vault or database: "
            "write it to a file outside every wallet directory, ideally on another disk"
        )


async def _check_node_network(
    header: BackupHeader,
    node_urls: Sequence[str] | None,
    pool: NodePool | None,
    transport_factory: TransportFactory | None,
) -> None:
    if node_urls is None and pool is None:
        return
    node, owns = make_pool(node_urls, pool, transport_factory)
    try:
        info = await node.get_info()
    finally:
        if owns:
            await node.aclose()
    check_network(WalletSettings(header.coin_type, header.network_name, header.bech32_hrp, 0), info, "backup")


async def restore_backup(
    backup_path: Path,
    dest_dir: Path,
    backup_password: str,
    *,
    coin_type: int,
    node_urls: Sequence[str] | None = None,
    pool: NodePool | None = None,
    network_name: str | None = None,
    transport_factory: TransportFactory | None = None,
) -> None:
    """Check a backup (password, coin type, network) and install it as a new wallet in ``dest_dir``.

    The restored state is marked for the post-restore gap scan (``operations.discovery``): the next sync,
    in either mode, or ``latest_unused_address`` first looks for addresses used after the backup was made.
    """
    try:
        data = await asyncio.to_thread(backup_path.read_bytes)
    except OSError as exc:
        raise BackupError(f"cannot read the backup file {backup_path}: {exc.strerror or exc}") from exc
    header, vault_blob, db = await asyncio.to_thread(read_backup, data, backup_password)
    if header.coin_type != coin_type:
        raise CoinTypeMismatchError(
            f"the backup was made for coin type {header.coin_type}, not {coin_type}; "
            "restore it with that coin type"
        )
    if network_name is not None and network_name != header.network_name:
        raise WalletNetworkMismatchError(
            f"the backup belongs to network {header.network_name!r}, not {network_name!r}"
        )
    await _check_node_network(header, node_urls, pool, transport_factory)
    if await asyncio.to_thread(wallet_state, dest_dir) is WalletState.COMPLETE:
        raise WalletExistsError(f"a wallet already exists in {dest_dir}; restore into an empty directory")
    make_directory(dest_dir)
    lock = await asyncio.to_thread(WalletLock.acquire, dest_dir)
    try:
        await _install(dest_dir, vault_blob, db, backup_password)
    finally:
        lock.release()


async def _install(dest_dir: Path, vault_blob: bytes, db: bytes, backup_password: str) -> None:
    """Vault first, database (whose settings mark a finished wallet, see ``layout``) last; the caller
    holds the directory's lock."""
    vault_path, db_path = dest_dir / VAULT_FILE_NAME, dest_dir / DB_FILE_NAME
    state, reason = await asyncio.to_thread(check_state, dest_dir)
    if state not in (WalletState.NONE, WalletState.INCOMPLETE):
        error = state_error(dest_dir, state, reason, creating=True)
        error.message = f"{error.message}; or restore into an empty directory"
        raise error
    if state is WalletState.INCOMPLETE:  # holds no mnemonic (remove_leftovers refuses otherwise)
        await asyncio.to_thread(remove_leftovers, dest_dir)
    imported = False
    try:
        vault = VaultStore(vault_path, idle_timeout=None)
        await asyncio.to_thread(vault.import_encrypted, vault_blob, backup_password)
        imported = True
        vault.lock()
        await asyncio.to_thread(WalletStore.install_snapshot, db, db_path, {RESTORE_SCAN_KEY: "pending"})
    except (VaultError, BackupError, StorageError, OSError) as exc:
        # only the vault copied from the backup just now may go (the backup file still holds it)
        with contextlib.suppress(WalletRebuildNeededError):
            await asyncio.to_thread(partial(remove_leftovers, dest_dir, own_vault=imported))
        if isinstance(exc, VaultError):
            raise BackupCorruptedError(f"the vault inside the backup cannot be restored: {exc}") from exc
        raise
