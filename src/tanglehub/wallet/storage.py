"""The wallet's state store: one SQLite file, every change in one explicit transaction, async-friendly.

Why SQLite (stdlib ``sqlite3``) and not SQLAlchemy: the wallet is an embedded single-user store that needs
exact transaction control (``BEGIN IMMEDIATE`` ... ``COMMIT``) and crash safety, nothing more. The file runs
in WAL mode with ``synchronous=FULL``, so a committed transaction survives a crash or power loss and an
interrupted one leaves no trace.

All database work runs on one dedicated worker thread (the connection never changes threads), so the
event loop is never blocked by disk I/O. Use :meth:`WalletStore.write` with a function of a
:class:`StoreTx`: the function runs inside one immediate transaction and either all its changes commit or
none do. Events added with :meth:`StoreTx.add_event` are part of the same transaction (an outbox), so a crash
can neither lose nor duplicate one; after the commit, listeners registered with
:meth:`WalletStore.add_commit_listener` are told the newest event sequence number.

Example (the sending code reserving inputs)::

    await store.write(lambda tx: tx.reserve_outputs(oids, tx_id, account_index))
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from tanglehub.wallet.errors import SchemaVersionError, StorageError, WalletClosedError
from tanglehub.wallet.storage_owners import backfill_unlockers
from tanglehub.wallet.storage_queries import StoreTx
from tanglehub.wallet.storage_schema import MIGRATIONS, SCHEMA_SQL, SCHEMA_VERSION

__all__ = ["DB_FILE_NAME", "StoreTx", "WalletStore"]

DB_FILE_NAME = "wallet.db"
"""The state database's file name inside a wallet directory."""

T = TypeVar("T")
CommitListener = Callable[[int], None]


def _connect(path: Path) -> sqlite3.Connection:
    try:
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot open the wallet database {path}: {exc}") from exc


def _prepare_schema(conn: sqlite3.Connection, path: Path, create: bool) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version == 0:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if tables and not create:
            raise SchemaVersionError(f"{path} is not a tanglehub wallet database (it has no schema version)")
        if not create:
            raise SchemaVersionError(f"{path} holds no wallet state; create the wallet first")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA_SQL.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path} uses wallet schema version {version}, newer than this tanglehub supports "
            f"({SCHEMA_VERSION}); upgrade tanglehub to open it"
        )
    if version < SCHEMA_VERSION:
        _migrate(conn, path, version)


def _migrate(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Bring an older schema up to :data:`SCHEMA_VERSION` in one transaction (all steps or none)."""
    missing = [v for v in range(version, SCHEMA_VERSION) if v not in MIGRATIONS]
    if missing:
        raise SchemaVersionError(f"{path} uses wallet schema version {version}, which has no migration")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for v in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[v].split(";"):
                if statement.strip():
                    conn.execute(statement)
            if v == 2:
                backfill_unlockers(conn)
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _rollback_journal_header(image: bytes) -> bytes:
    """Mark a database image as a rollback-journal file (header bytes 18/19 = 1) so it can live in memory;
    a WAL-mode image (bytes = 2) cannot be deserialized. The file is switched back to WAL when installed."""
    if len(image) >= 20 and image[18:20] == b"\x02\x02":
        return image[:18] + b"\x01\x01" + image[20:]
    return image


class WalletStore:
    """The state database of one wallet (see the module docstring).

    Open it with :meth:`open` (sync) or :meth:`open_async`; close it with :meth:`close`. Every public
    method is safe to call from the event loop: the ``async`` ones hand the work to the store's thread.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, executor: ThreadPoolExecutor) -> None:
        self._path = path
        self._conn = conn
        self._executor = executor
        self._closed = False
        self._listeners: list[CommitListener] = []
        self._listener_lock = threading.Lock()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False) -> WalletStore:
        """Open the database at ``path``; with ``create`` make the schema in a new (or empty) file."""
        p = Path(path)
        if not create and not p.exists():
            raise StorageError(f"no wallet database at {p}")
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wallet-db")

        def start() -> sqlite3.Connection:
            conn = _connect(p)
            try:
                _prepare_schema(conn, p, create)
            except sqlite3.Error as exc:
                conn.close()
                raise StorageError(f"cannot prepare the wallet database {p}: {exc}") from exc
            except BaseException:
                conn.close()
                raise
            return conn

        try:
            conn = executor.submit(start).result()
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(p, conn, executor)

    @classmethod
    async def open_async(cls, path: str | os.PathLike[str], *, create: bool = False) -> WalletStore:
        """:meth:`open` without blocking the event loop."""
        return await asyncio.to_thread(cls.open, path, create=create)

    def __repr__(self) -> str:
        return f"WalletStore({str(self._path)!r}, closed={self._closed})"

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    # -- listeners ----------------------------------------------------------------------------------------

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Call ``listener(last_seq)`` after every commit that added events (on the committing thread)."""
        with self._listener_lock:
            self._listeners.append(listener)

    def remove_commit_listener(self, listener: CommitListener) -> None:
        """Stop calling ``listener``."""
        with self._listener_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _notify(self, last_seq: int | None) -> None:
        if last_seq is None:
            return
        with self._listener_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(last_seq)

    # -- running work -------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise WalletClosedError("the wallet database is closed; open the wallet again")

    def _in_transaction(self, fn: Callable[[StoreTx], T], write: bool) -> tuple[T, int | None]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot start a wallet database transaction: {exc}") from exc
        tx = StoreTx(conn, writable=write)
        try:
            result = fn(tx)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise StorageError(f"wallet database error: {exc}") from exc
        except BaseException:
            self._rollback()
            raise
        return result, tx.last_event_seq

    def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:  # the connection is unusable; the open transaction dies with it
            pass

    async def write(self, fn: Callable[[StoreTx], T]) -> T:
        """Run ``fn(tx)`` in one immediate (write) transaction on the store's thread; return its result."""
        self._check_open()
        loop = asyncio.get_running_loop()
        result, last_seq = await loop.run_in_executor(self._executor, self._in_transaction, fn, True)
        self._notify(last_seq)
        return result

    async def read(self, fn: Callable[[StoreTx], T]) -> T:
        """Run ``fn(tx)`` in one read transaction (a consistent snapshot) on the store's thread."""
        self._check_open()
        loop = asyncio.get_running_loop()
        result, _ = await loop.run_in_executor(self._executor, self._in_transaction, fn, False)
        return result

    def write_sync(self, fn: Callable[[StoreTx], T]) -> T:
        """:meth:`write` for synchronous callers (blocks until the transaction has committed)."""
        self._check_open()
        result, last_seq = self._executor.submit(self._in_transaction, fn, True).result()
        self._notify(last_seq)
        return result

    def read_sync(self, fn: Callable[[StoreTx], T]) -> T:
        """:meth:`read` for synchronous callers."""
        self._check_open()
        return self._executor.submit(self._in_transaction, fn, False).result()[0]

    # -- snapshots ----------------------------------------------------------------------------------------

    def _snapshot(self) -> bytes:
        mem = sqlite3.connect(":memory:")
        try:
            self._conn.backup(mem)
            return _rollback_journal_header(bytes(mem.serialize()))
        except sqlite3.Error as exc:
            raise StorageError(f"cannot take a snapshot of the wallet database: {exc}") from exc
        finally:
            mem.close()

    async def snapshot(self) -> bytes:
        """A consistent copy of the whole database as bytes (SQLite's online backup API)."""
        self._check_open()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._snapshot)

    @staticmethod
    def install_snapshot(data: bytes, path: str | os.PathLike[str], meta: Mapping[str, str] | None = None) -> None:
        """Write a :meth:`snapshot` to a new database file at ``path`` (mode 0600) and check its schema;
        ``meta`` entries are stored in the copy's ``meta`` table first (part of the one file written)."""
        p = Path(path)
        try:
            source = sqlite3.connect(":memory:")
            try:
                source.deserialize(_rollback_journal_header(bytes(data)))
                version = int(source.execute("PRAGMA user_version").fetchone()[0])
                if not 1 <= version <= SCHEMA_VERSION:  # an older one is migrated when the wallet opens
                    raise SchemaVersionError(
                        f"the snapshot uses wallet schema version {version}; this tanglehub reads 1 to "
                        f"{SCHEMA_VERSION}"
                    )
                for key, value in (meta or {}).items():
                    source.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
                source.commit()
                fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
                target = sqlite3.connect(p)
                try:
                    source.backup(target)
                    target.execute("PRAGMA journal_mode=WAL")
                finally:
                    target.close()
            finally:
                source.close()
        except sqlite3.Error as exc:
            raise StorageError(f"the wallet state in the snapshot is not a usable database: {exc}") from exc
        except OSError as exc:
            raise StorageError(f"cannot write the wallet database {p}: {exc.strerror or exc}") from exc

    # -- closing ------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database (pending work finishes first); later calls raise :class:`WalletClosedError`."""
        if self._closed:
            return
        self._closed = True
        try:
            self._executor.submit(self._conn.close).result()
        finally:
            self._executor.shutdown(wait=True)

    async def aclose(self) -> None:
        """:meth:`close` without blocking the event loop."""
        await asyncio.to_thread(self.close)
