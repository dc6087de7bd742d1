"""The files of a wallet directory, what state they are in, and the one rule about removing them: a vault
that holds (or may hold) a mnemonic is never deleted.

A wallet is made in this order: the vault (``wallet.vault``), then the state database (``wallet.db``: schema,
then the settings in one last transaction). The settings rows (``network_name`` ...) are therefore the
completion marker. :func:`check_state` tells apart:

* :attr:`WalletState.NONE`: neither file;
* :attr:`WalletState.COMPLETE`: a database with the marker (a finished wallet);
* :attr:`WalletState.INCOMPLETE`: what a crash during ``Wallet.create`` (or a restore) leaves before any
  secret is stored: no vault or a vault without a mnemonic, and no finished database. Nothing there can have
  received funds, so the next create removes it (:func:`remove_leftovers`);
* :attr:`WalletState.STATE_MISSING`: a vault holding a mnemonic (or one that cannot be read, so it may) but
  no finished database (missing, empty or without settings). The mnemonic may control funds: the state is
  rebuilt from the vault and the ledger (``Wallet.rebuild``), never by creating a new wallet over it;
* :attr:`WalletState.STATE_CORRUPT`: a vault and a ``wallet.db`` that cannot be read as a wallet database
  (truncated, damaged, or another file). Rebuilt the same way; the damaged file is kept beside it
  (:func:`move_state_aside`).

A ``wallet.db`` that cannot be read with no vault beside it is someone else's file: :func:`check_state`
raises :class:`WalletExistsError` and nothing touches it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from enum import StrEnum
from pathlib import Path

from tanglehub.vault import VaultStore
from tanglehub.vault.errors import VaultError
from tanglehub.wallet.errors import (
    WalletError,
    WalletExistsError,
    WalletIncompleteError,
    WalletNotFoundError,
    WalletRebuildNeededError,
    WalletStateCorruptError,
)

__all__ = [
    "COMPLETION_KEY",
    "DB_FILE_NAME",
    "VAULT_FILE_NAME",
    "WalletState",
    "check_state",
    "move_state_aside",
    "remove_leftovers",
    "state_error",
    "vault_may_hold_mnemonic",
    "wallet_state",
]

VAULT_FILE_NAME = "wallet.vault"
"""The vault file's name inside a wallet directory."""
DB_FILE_NAME = "wallet.db"
COMPLETION_KEY = "network_name"
"""The meta key whose presence marks a finished wallet database (written in the last creation step)."""
_DB_SUFFIXES = ("", "-wal", "-shm", "-journal")


class WalletState(StrEnum):
    """What a directory holds (see the module docstring)."""

    NONE = "none"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    STATE_MISSING = "state-missing"
    STATE_CORRUPT = "state-corrupt"


class _Unreadable(Exception):
    """``wallet.db`` is not a readable wallet database (the text says why)."""


def _db_has_marker(db_path: Path) -> bool:
    if db_path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(db_path, timeout=30.0)
    except sqlite3.Error as exc:
        raise _Unreadable(f"it cannot be opened: {exc}") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            if tables:
                raise _Unreadable("it is a database of something else (it has no wallet tables)")
            return False
        row = conn.execute("SELECT 1 FROM meta WHERE key = ?", (COMPLETION_KEY,)).fetchone()
        return row is not None
    except sqlite3.Error as exc:
        raise _Unreadable(f"it is not a readable wallet database: {exc}") from exc
    finally:
        conn.close()


def vault_may_hold_mnemonic(vault_path: Path) -> bool:
    """True when ``vault_path`` exists and holds a mnemonic, or cannot be read well enough to tell (then it
    must be kept as if it did). No password is needed: the header says whether a mnemonic is stored."""
    if not vault_path.exists():
        return False
    try:
        return VaultStore(vault_path, idle_timeout=None).has_mnemonic
    except VaultError:
        return True


def check_state(directory: Path) -> tuple[WalletState, str]:
    """The :class:`WalletState` of ``directory`` and a short reason (for messages).

    Raises :class:`WalletExistsError` for an unreadable ``wallet.db`` with no vault beside it (never removed).
    """
    vault_path, db_path = directory / VAULT_FILE_NAME, directory / DB_FILE_NAME
    has_vault, has_db = vault_path.exists(), db_path.exists()
    if not has_vault and not has_db:
        return WalletState.NONE, "no wallet files"
    if has_db:
        try:
            if _db_has_marker(db_path):
                return WalletState.COMPLETE, "a finished wallet"
            reason = f"{DB_FILE_NAME} is empty or was never finished"
        except _Unreadable as exc:
            if not has_vault:
                raise WalletExistsError(f"{db_path} exists but {exc}; move it away first") from None
            return WalletState.STATE_CORRUPT, f"{DB_FILE_NAME} is damaged: {exc}"
    else:
        reason = f"{DB_FILE_NAME} is missing"
    if vault_may_hold_mnemonic(vault_path):
        return WalletState.STATE_MISSING, f"the vault holds a mnemonic but {reason}"
    return WalletState.INCOMPLETE, reason


def wallet_state(directory: Path) -> WalletState:
    """Whether ``directory`` holds no wallet, a finished one, leftovers, or a vault whose state database is
    missing or damaged (see :func:`check_state`, which also gives the reason)."""
    return check_state(directory)[0]


def remove_leftovers(directory: Path, *, own_vault: bool = False) -> list[str]:
    """Delete the vault and database files of an interrupted create; the names removed.

    A vault holding a mnemonic is never deleted (raises :class:`WalletRebuildNeededError` and removes
    nothing), except with ``own_vault=True``: the vault the failing call itself just wrote (a fresh
    create whose mnemonic nobody has seen or the caller still holds, or a copy from a backup file)."""
    vault_path = directory / VAULT_FILE_NAME
    if not own_vault and vault_may_hold_mnemonic(vault_path):
        raise WalletRebuildNeededError(
            f"{vault_path} holds a mnemonic and is never deleted; rebuild the wallet's state from it with "
            "Wallet.rebuild(path, password=..., coin_type=...), or move the vault away yourself"
        )
    removed: list[str] = []
    names = [VAULT_FILE_NAME, *(DB_FILE_NAME + s for s in _DB_SUFFIXES)]
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()
            removed.append(name)
    return removed


def move_state_aside(directory: Path) -> list[str]:
    """Rename ``wallet.db`` (and its ``-wal``/``-shm``/``-journal`` files) to
    ``wallet.db.damaged-<UTC time>...`` so a rebuild starts from an empty state database while the old
    one is kept for inspection; the new names (empty when there was nothing to move)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    base = f"{DB_FILE_NAME}.damaged-{stamp}"
    n = 1
    while any((directory / f"{base}{s}").exists() for s in _DB_SUFFIXES):
        n += 1
        base = f"{DB_FILE_NAME}.damaged-{stamp}-{n}"
    moved: list[str] = []
    for suffix in _DB_SUFFIXES:
        source = directory / f"{DB_FILE_NAME}{suffix}"
        if source.exists():
            os.replace(source, directory / f"{base}{suffix}")
            moved.append(f"{base}{suffix}")
    return moved


def state_error(directory: Path, state: WalletState, reason: str, *, creating: bool) -> WalletError:
    """The error ``Wallet.create`` (``creating``) or ``Wallet.open`` raises for a directory in ``state``."""
    if state is WalletState.COMPLETE:
        return WalletExistsError(f"a wallet already exists in {directory}; open it instead")
    if state in (WalletState.STATE_MISSING, WalletState.STATE_CORRUPT):
        verb = "cannot create a new wallet over it (a vault holding a mnemonic is never replaced)"
        doing = verb if creating else "cannot open it"
        fix = (
            f"rebuild its state from the vault and the ledger with Wallet.rebuild({str(directory)!r}, "
            "password=..., coin_type=..., node_urls=...), which keeps the vault"
        )
        if state is WalletState.STATE_CORRUPT:
            return WalletStateCorruptError(
                f"the wallet in {directory}: {reason}; {doing}. {fix[0].upper()}{fix[1:]} and keeps the damaged "
                f"file as {DB_FILE_NAME}.damaged-<time>"
            )
        return WalletRebuildNeededError(f"the wallet in {directory}: {reason}; {doing}. {fix[0].upper()}{fix[1:]}")
    if state is WalletState.INCOMPLETE:
        return WalletIncompleteError(
            f"the wallet in {directory} was never finished (its creation was interrupted before a mnemonic was "
            "stored); create it again with Wallet.create, which removes the leftovers"
        )
    return WalletNotFoundError(f"no wallet in {directory} (expected {VAULT_FILE_NAME} and {DB_FILE_NAME})")
