"""One process per directory: an exclusive advisory lock on a lock file inside it (shared by wallet and devnet).

:meth:`DirectoryLock.acquire` opens ``<directory>/<file name>``, takes ``fcntl.flock(LOCK_EX | LOCK_NB)`` on
it and writes the holder's pid into it. A second acquire (from another process, or from this process through
another open file) fails at once: the caller's ``busy`` factory builds the error to raise from the holder's
pid (``None`` when the file does not name one yet). The kernel drops the lock when the holder closes the file
or dies (even by SIGKILL), so a crashed process never leaves the directory blocked; the file itself stays and
is harmless. Each layer keeps its own error classes and wording; :func:`describe_holder` gives the common
"this process" / "another process (pid N)" phrase.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from tanglehub.errors import TanglehubError

__all__ = ["DirectoryLock", "describe_holder"]


def describe_holder(pid: int | None) -> str:
    """``"this process (pid N)"``, ``"another process (pid N)"`` or ``"another process"`` for a holder pid."""
    if pid is None:
        return "another process"
    if pid == os.getpid():
        return f"this process (pid {pid})"
    return f"another process (pid {pid})"


def _holder_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class DirectoryLock:
    """A held lock on a directory; :meth:`release` frees it (the kernel does on exit too)."""

    __slots__ = ("_fd", "_path")

    def __init__(self, path: Path, fd: int) -> None:
        self._path = path
        self._fd: int | None = fd

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self._path)!r}, held={self.held})"

    @classmethod
    def acquire(
        cls,
        path: Path,
        *,
        busy: Callable[[int | None], TanglehubError],
        failed: Callable[[str], TanglehubError],
    ) -> DirectoryLock:
        """Lock the file ``path`` (its directory must exist) for this process, or raise at once.

        Raises ``busy(holder_pid)`` when another open file holds the lock, ``failed(reason)`` when the file
        cannot be opened or locked (permissions, a read-only file system).
        """
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise failed(f"cannot open the lock file {path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder_pid(fd)
            os.close(fd)
            raise busy(pid) from None
        except OSError as exc:
            os.close(fd)
            raise failed(f"cannot lock the lock file {path}: {exc.strerror or exc}") from exc
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
