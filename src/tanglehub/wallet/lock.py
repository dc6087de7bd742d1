"""One process per wallet directory: an exclusive advisory lock on ``<dir>/wallet.lock``.

:meth:`WalletLock.acquire` takes ``fcntl.flock(LOCK_EX | LOCK_NB)`` on the lock file and writes the
holder's pid into it; a second acquire (from this process or another one) fails at once with
:class:`~tanglehub.wallet.errors.WalletInUseError` naming that pid. The kernel drops the lock when the
holder closes the file or dies (even by SIGKILL), so a crashed process never leaves the wallet blocked;
the file itself stays and is harmless.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from tanglehub.wallet.errors import StorageError, WalletInUseError

__all__ = ["LOCK_FILE_NAME", "WalletLock"]

LOCK_FILE_NAME = "wallet.lock"
"""The lock file's name inside a wallet directory."""


def _holder_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"


class WalletLock:
    """A held lock on a wallet directory; :meth:`release` (or closing the wallet) frees it."""

    __slots__ = ("_fd", "_path")

    def __init__(self, path: Path, fd: int) -> None:
        self._path = path
        self._fd: int | None = fd

    def __repr__(self) -> str:
        return f"WalletLock({str(self._path)!r}, held={self.held})"

    @classmethod
    def acquire(cls, directory: Path) -> WalletLock:
        """Lock ``directory`` (which must exist) for this process, or raise WalletInUseError at once."""
        path = directory / LOCK_FILE_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StorageError(f"cannot open the wallet lock file {path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder_pid(fd)
            os.close(fd)
            if pid == str(os.getpid()):
                raise WalletInUseError(
                    f"the wallet in {directory} is already open in this process (by another Wallet object); use "
                    "that one, or close it before opening the wallet again"
                ) from None
            raise WalletInUseError(
                f"the wallet in {directory} is already open in another process (pid {pid}); close it there "
                "first (one process per wallet directory)"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise StorageError(f"cannot lock the wallet lock file {path}: {exc.strerror or exc}") from exc
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:  # the pid is only informative; the lock itself is held
            pass
        return cls(path, fd)

    @property
    def held(self) -> bool:
        """True until :meth:`release`."""
        return self._fd is not None

    @property
    def path(self) -> Path:
        """The lock file."""
        return self._path

    def release(self) -> None:
        """Free the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
