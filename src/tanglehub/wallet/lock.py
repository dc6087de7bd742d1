"""One process per wallet directory: an exclusive advisory lock on ``<dir>/wallet.lock``.

:meth:`WalletLock.acquire` takes the shared :class:`~tanglehub.dirlock.DirectoryLock` (``fcntl.flock``,
holder pid written into the file) on ``wallet.lock``; a second acquire (from this process or another one)
fails at once with :class:`~tanglehub.wallet.errors.WalletInUseError` naming that pid. The kernel drops the
lock when the holder closes the file or dies (even by SIGKILL), so a crashed process never leaves the wallet
blocked; the file itself stays and is harmless.
"""

from __future__ import annotations

import os
from pathlib import Path

from tanglehub.dirlock import DirectoryLock
from tanglehub.wallet.errors import StorageError, WalletInUseError

__all__ = ["LOCK_FILE_NAME", "WalletLock"]

LOCK_FILE_NAME = "wallet.lock"
"""The lock file's name inside a wallet directory."""


class WalletLock:
    """A held lock on a wallet directory; :meth:`release` (or closing the wallet) frees it."""

    __slots__ = ("_lock",)

    def __init__(self, lock: DirectoryLock) -> None:
        self._lock = lock

    def __repr__(self) -> str:
        return f"WalletLock({str(self.path)!r}, held={self.held})"

    @classmethod
    def acquire(cls, directory: Path) -> WalletLock:
        """Lock ``directory`` (which must exist) for this process, or raise WalletInUseError at once."""

        def busy(pid: int | None) -> WalletInUseError:
            if pid == os.getpid():
                return WalletInUseError(
                    f"the wallet in {directory} is already open in this process (by another Wallet object); use "
                    "that one, or close it before opening the wallet again"
                )
            return WalletInUseError(
                f"the wallet in {directory} is already open in another process "
                f"(pid {pid if pid is not None else 'unknown'}); close it there first "
                "(one process per wallet directory)"
            )

        return cls(DirectoryLock.acquire(directory / LOCK_FILE_NAME, busy=busy, failed=StorageError))

    @property
    def held(self) -> bool:
        """True until :meth:`release`."""
        return self._lock.held

    @property
    def path(self) -> Path:
        """The lock file."""
        return self._lock.path

    def release(self) -> None:
        """Free the lock (idempotent)."""
        self._lock.release()
