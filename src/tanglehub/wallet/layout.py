"""The files of a wallet directory and how to tell a finished wallet from one whose creation was cut short.

A wallet is made in this order: the vault (``wallet.vault``), then the state database (``wallet.db``: schema,
then the settings in one last transaction). The settings rows (``network_name`` ...) are therefore the
completion marker: a directory whose database has them holds a finished wallet (:attr:`WalletState.COMPLETE`);
a vault without a database, or a database without settings, is what a crash during ``Wallet.create`` (or a
restore) leaves behind (:attr:`WalletState.INCOMPLETE`). Nothing in such a leftover can have received
funds (no address was handed out before the settings were written), so the next create removes it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from enum import StrEnum
from pathlib import Path

from tanglehub.wallet.errors import WalletExistsError

__all__ = ["COMPLETION_KEY", "VAULT_FILE_NAME", "WalletState", "remove_leftovers", "wallet_state"]

VAULT_FILE_NAME = "wallet.vault"
"""The vault file's name inside a wallet directory."""
DB_FILE_NAME = "wallet.db"
COMPLETION_KEY = "network_name"
"""The meta key whose presence marks a finished wallet database (written in the last creation step)."""
_DB_SUFFIXES = ("", "-wal", "-shm", "-journal")


class WalletState(StrEnum):
    """What a directory holds."""

    NONE = "none"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"


def _db_has_marker(db_path: Path) -> bool:
    if db_path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(db_path, timeout=30.0)
    except sqlite3.Error as exc:
        raise WalletExistsError(f"{db_path} exists but cannot be opened ({exc}); move it away first") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            if tables:
                raise WalletExistsError(f"{db_path} is a database of something else; move it away first")
            return False
        row = conn.execute("SELECT 1 FROM meta WHERE key = ?", (COMPLETION_KEY,)).fetchone()
        return row is not None
    except sqlite3.Error as exc:
        raise WalletExistsError(f"{db_path} is not a wallet database ({exc}); move it away first") from exc
    finally:
        conn.close()


def wallet_state(directory: Path) -> WalletState:
    """Whether ``directory`` holds no wallet, a finished one, or the leftovers of an interrupted create.

    A ``wallet.db`` that is not a wallet database raises :class:`WalletExistsError` (it is never removed).
    """
    vault_path, db_path = directory / VAULT_FILE_NAME, directory / DB_FILE_NAME
    has_vault, has_db = vault_path.exists(), db_path.exists()
    if not has_vault and not has_db:
        return WalletState.NONE
    if has_db and _db_has_marker(db_path):
        return WalletState.COMPLETE
    return WalletState.INCOMPLETE


def remove_leftovers(directory: Path) -> list[str]:
    """Delete the vault and database files of an interrupted create; the names removed."""
    removed: list[str] = []
    names = [VAULT_FILE_NAME, *(DB_FILE_NAME + s for s in _DB_SUFFIXES)]
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            (directory / name).unlink()
            removed.append(name)
    return removed
