"""Crash-safe, owner-only file access for vault files.

:func:`atomic_write` writes a temporary file in the target's directory (created with mode 0600), fsyncs it,
renames it over the target with :func:`os.replace` and fsyncs the directory, so after a crash the target holds
either the complete old contents or the complete new contents, never a mix. :func:`read_private` refuses
(or, on request, repairs) files that other users may read or write.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

from tanglehub.vault.errors import InsecurePermissionsError, VaultExistsError, VaultIOError, VaultNotFoundError

__all__ = ["FILE_MODE", "atomic_write", "read_private"]

FILE_MODE = 0o600
_log = logging.getLogger(__name__)


def _fsync_dir(directory: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(directory, flags)
    except OSError:  # some platforms cannot open directories; the rename is still atomic there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, replace: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically and durably; the file ends up with mode 0600.

    With ``replace=False`` an existing ``path`` is never replaced, even one that appears while writing
    (the finished file is hard-linked into place, which fails atomically): :class:`VaultExistsError`.
    """
    directory = path.parent
    tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError as exc:
        raise VaultIOError(f"cannot create a temporary file in {directory}: {exc.strerror}") from exc
    try:
        try:
            os.fchmod(fd, FILE_MODE)  # the umask may have removed bits, never added them; be explicit
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise VaultExistsError(f"{path} already exists; refusing to overwrite it") from None
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise VaultIOError(f"cannot write vault file {path}: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def read_private(path: Path, *, fix_permissions: bool = False) -> bytes:
    """Read a vault file after checking that only its owner can access it.

    A file readable or writable by group or others raises :class:`InsecurePermissionsError`, unless
    ``fix_permissions`` is true, in which case its mode is set to 0600 (and a warning is logged).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise VaultNotFoundError(f"no vault file at {path}") from exc
    except OSError as exc:
        raise VaultIOError(f"cannot inspect vault file {path}: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise VaultIOError(f"{path} is not a regular file")
    loose = stat.S_IMODE(info.st_mode) & 0o077
    if loose:
        if not fix_permissions:
            raise InsecurePermissionsError(
                f"vault file {path} has mode {stat.S_IMODE(info.st_mode):04o}, which lets other users access "
                f"it; run 'chmod 600 {path}' (or open it with fix_permissions=True)"
            )
        try:
            os.chmod(path, FILE_MODE)
        except OSError as exc:
            raise VaultIOError(f"cannot restrict the mode of vault file {path}: {exc.strerror}") from exc
        _log.warning("vault file %s had mode %04o; restricted it to 0600", path, stat.S_IMODE(info.st_mode))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise VaultIOError(f"cannot read vault file {path}: {exc.strerror}") from exc
