"""Single-active-worker locks.

* :class:`ProcessLock`: on SQLite, an exclusive ``fcntl.flock`` on ``<data_dir>/hub.lock`` held for the
  process's life; a second hub process on the same SQLite database is refused with :class:`HubInUse`.
* :func:`run_exclusive`: runs a worker only while this process holds its lock. On PostgreSQL the lock is a
  session-level ``pg_try_advisory_lock(key)`` on a dedicated connection: a standby polls every
  ``poll_interval`` seconds and takes over within seconds when the holder dies (its connection closes and
  PostgreSQL releases the lock). A holder that loses its connection cancels its worker and goes back to
  waiting. On SQLite the process lock already makes this process the only one, so the worker just runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from tanglehub.hub.db import is_postgres
from tanglehub.hub.errors import HubInUse

__all__ = ["POOL_LOCK_KEY", "SCANNER_LOCK_KEY", "WEBHOOK_LOCK_KEY", "ProcessLock", "run_exclusive"]

log = logging.getLogger("tanglehub.hub.locks")

SCANNER_LOCK_KEY = 7101
POOL_LOCK_KEY = 7102
WEBHOOK_LOCK_KEY = 7103
"""Advisory lock keys (32-bit) of the workers; taken as ``(key, hashtext(current_schema()))``."""


_TRY_LOCK = text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))")


class ProcessLock:
    """An exclusive lock file ``<data_dir>/hub.lock`` held until :meth:`release` (or the process ends)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "hub.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now or raise :class:`HubInUse` naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise HubInUse(
                f"another hub process (pid {holder}) already uses the SQLite database in {self.path.parent}; "
                "stop it first, or use PostgreSQL to run several processes"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _try_lock(engine: Engine, key: int) -> Connection | None:
    conn = engine.connect()
    try:
        got = bool(conn.execute(_TRY_LOCK, {"k": key}).scalar())
        conn.commit()
    except Exception:
        conn.close()
        raise
    if not got:
        conn.close()
        return None
    return conn


def _still_held(conn: Connection) -> bool:
    try:
        conn.execute(text("SELECT 1")).scalar()
        conn.commit()
    except Exception:
        return False
    return True


def _close(conn: Connection) -> None:
    with contextlib.suppress(Exception):
        conn.invalidate()  # drop the socket: PostgreSQL releases the session's advisory locks
        conn.close()


async def run_exclusive(
    engine: Engine,
    key: int,
    stop_event: asyncio.Event,
    work: Callable[[], Awaitable[None]],
    *,
    name: str = "worker",
    poll_interval: float = 1.0,
) -> None:
    """Run ``work()`` while holding lock ``key``; wait as a standby when another process holds it; return when
    ``stop_event`` is set (``work`` is cancelled) — see the module docstring."""
    if not is_postgres(engine):
        await _until_stopped(work(), stop_event)
        return
    while not stop_event.is_set():
        try:
            conn = await asyncio.to_thread(_try_lock, engine, key)
        except Exception as exc:
            log.warning("%s: cannot reach the database to take its lock: %s", name, exc)
            conn = None
        if conn is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), poll_interval)
            continue
        log.info("%s: lock taken; running", name)
        task = asyncio.ensure_future(work())
        try:
            while not stop_event.is_set() and not task.done():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(_first(task, stop_event)), poll_interval * 2)
                if not task.done() and not await asyncio.to_thread(_still_held, conn):
                    log.warning("%s: lost the database connection holding its lock; standing by", name)
                    break
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await asyncio.to_thread(_close, conn)
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("%s stopped with an error: %s", name, task.exception())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), poll_interval)


async def _first(task: asyncio.Future[None], stop_event: asyncio.Event) -> None:
    stopper: asyncio.Future[object] = asyncio.ensure_future(stop_event.wait())
    waited: set[asyncio.Future[object]] = {stopper, task}  # type: ignore[arg-type]
    try:
        await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()


async def _until_stopped(work: Awaitable[None], stop_event: asyncio.Event) -> None:
    task = asyncio.ensure_future(work)
    try:
        await _first(task, stop_event)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
