"""Persistence of the devnet in its data folder: one SQLite database (stdlib ``sqlite3``, WAL mode).

Why the stdlib driver rather than SQLAlchemy: the schema is private to the devnet (no migrations, no other
engine), every write is one batched transaction per milestone, and the state is loaded whole into memory on
start; ``executemany`` on ``sqlite3`` is the fastest and simplest tool for that.

Layout: ``blocks`` (raw bytes + metadata), ``outputs`` (raw output bytes + booked/spent metadata), ``milestones``
(per-milestone created/consumed output ids), ``included`` (transaction id -> applied block), ``meta`` (protocol
parameters, genesis time). ``devnet.lock`` (a :class:`~tanglehub.dirlock.DirectoryLock`) keeps a second devnet
process off the same folder while this store is open. New blocks are buffered and written with the next
milestone (or on close), so a milestone and everything it references land atomically. :class:`MemoryStore`
keeps nothing (in-memory mode).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tanglehub.devnet.errors import DevnetDataDirInUse, DevnetStoreError
from tanglehub.devnet.ledger import MilestoneDiff, OutputRecord, SpentInfo
from tanglehub.devnet.tangle import BlockRecord
from tanglehub.dirlock import DirectoryLock, describe_holder
from tanglehub.errors import TanglehubError
from tanglehub.protocol.block import Block
from tanglehub.protocol.output import output_from_bytes

__all__ = ["DB_NAME", "LOCK_NAME", "MemoryStore", "SqliteStore", "Store"]

DB_NAME = "devnet.sqlite3"
LOCK_NAME = "devnet.lock"
"""The lock file in the data folder; held by the one devnet process that has the folder open."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB UNIQUE NOT NULL, data BLOB NOT NULL,
    attached INTEGER NOT NULL, held INTEGER NOT NULL, ref INTEGER, wf INTEGER,
    state INTEGER NOT NULL, reason INTEGER NOT NULL, ms INTEGER);
CREATE TABLE IF NOT EXISTS outputs (
    oid BLOB PRIMARY KEY, data BLOB NOT NULL, block_id BLOB NOT NULL, ms INTEGER NOT NULL, ts INTEGER NOT NULL,
    spent_ms INTEGER, spent_ts INTEGER, spent_tx BLOB);
CREATE TABLE IF NOT EXISTS milestones (idx INTEGER PRIMARY KEY, created BLOB NOT NULL, consumed BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS included (tx BLOB PRIMARY KEY, block_id BLOB NOT NULL);
"""


class MemoryStore:
    """The store of an in-memory devnet: remembers nothing across restarts."""

    persistent = False

    def get_meta(self, key: str) -> Any:
        """Always None: nothing was stored."""
        return None

    def set_meta(self, key: str, value: Any) -> None:
        """Ignored."""

    def add_block(self, rec: BlockRecord) -> None:
        """Ignored."""

    def commit_milestone(
        self,
        diff: MilestoneDiff,
        created: Iterable[OutputRecord],
        spent: Iterable[OutputRecord],
        referenced: Iterable[BlockRecord],
        included: Iterable[tuple[bytes, bytes]],
    ) -> None:
        """Ignored."""

    def flush(self) -> None:
        """Ignored."""

    def close(self) -> None:
        """Ignored."""


Store = MemoryStore
"""The store interface (``SqliteStore`` implements the same methods)."""


class SqliteStore(MemoryStore):
    """The devnet state in ``<data_dir>/devnet.sqlite3``."""

    persistent = True

    def __init__(self, data_dir: Path) -> None:
        """Lock ``data_dir`` (created if missing) and open its database.

        Raises DevnetDataDirInUse when another devnet (process or node) has the folder open, DevnetStoreError
        when the folder or database cannot be opened.
        """
        if data_dir.exists() and not data_dir.is_dir():
            raise DevnetStoreError(f"the devnet data folder {data_dir} is not a folder (a file has that name)")
        bad_parent = next((p for p in data_dir.parents if p.exists() and not p.is_dir()), None)
        if bad_parent is not None:
            raise DevnetStoreError(
                f"cannot create the devnet data folder {data_dir}: {bad_parent} is not a folder"
            )
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DevnetStoreError(f"cannot create the devnet data folder {data_dir}: {exc.strerror}") from exc

        def busy(pid: int | None) -> DevnetDataDirInUse:
            return DevnetDataDirInUse(
                f"the data folder {data_dir} is in use by {describe_holder(pid)}; stop that devnet first "
                "or pass another --data-dir (one devnet per data folder)"
            )

        self._lock = DirectoryLock.acquire(data_dir / LOCK_NAME, busy=busy, failed=DevnetStoreError)
        try:
            self._db = sqlite3.connect(data_dir / DB_NAME, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self._lock.release()
            raise DevnetStoreError(f"cannot open the devnet database in {data_dir}: {exc}") from exc
        self._pending: dict[bytes, BlockRecord] = {}

    def get_meta(self, key: str) -> Any:
        """A stored JSON value, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON value."""
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def add_block(self, rec: BlockRecord) -> None:
        """Remember a new block; it is written with the next milestone or flush."""
        self._pending[rec.block_id] = rec

    @staticmethod
    def _block_row(rec: BlockRecord) -> tuple[Any, ...]:
        return (
            rec.block_id,
            rec.data,
            rec.attached_index,
            int(rec.held),
            rec.referenced_by,
            rec.white_flag_index,
            rec.inclusion_state,
            rec.conflict_reason,
            rec.milestone_index,
        )

    def _write_blocks(self, recs: Iterable[BlockRecord]) -> None:
        self._db.executemany(
            "INSERT INTO blocks (id, data, attached, held, ref, wf, state, reason, ms) VALUES (?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET held=excluded.held, ref=excluded.ref, wf=excluded.wf, "
            "state=excluded.state, reason=excluded.reason, ms=excluded.ms",
            [self._block_row(r) for r in recs],
        )

    def commit_milestone(
        self,
        diff: MilestoneDiff,
        created: Iterable[OutputRecord],
        spent: Iterable[OutputRecord],
        referenced: Iterable[BlockRecord],
        included: Iterable[tuple[bytes, bytes]],
    ) -> None:
        """Write one milestone's changes (and all buffered blocks) in one transaction."""
        try:
            self._db.execute("BEGIN")
            self._write_blocks(self._pending.values())
            self._pending.clear()
            self._write_blocks(referenced)
            self._db.executemany(
                "INSERT OR REPLACE INTO outputs (oid, data, block_id, ms, ts) VALUES (?,?,?,?,?)",
                [
                    (r.oid, r.output.to_bytes(), r.block_id, r.milestone_index, r.milestone_timestamp)
                    for r in created
                ],
            )
            self._db.executemany(
                "UPDATE outputs SET spent_ms = ?, spent_ts = ?, spent_tx = ? WHERE oid = ?",
                [
                    (r.spent.milestone_index, r.spent.milestone_timestamp, r.spent.transaction_id, r.oid)
                    for r in spent
                    if r.spent is not None
                ],
            )
            self._db.execute(
                "INSERT OR REPLACE INTO milestones (idx, created, consumed) VALUES (?,?,?)",
                (diff.index, b"".join(diff.created), b"".join(diff.consumed)),
            )
            self._db.executemany("INSERT OR REPLACE INTO included (tx, block_id) VALUES (?,?)", list(included))
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._db.execute("ROLLBACK")
            raise DevnetStoreError(f"cannot write milestone {diff.index} to the devnet database: {exc}") from exc

    def flush(self) -> None:
        """Write buffered blocks now."""
        if self._pending:
            self._db.execute("BEGIN")
            self._write_blocks(self._pending.values())
            self._db.execute("COMMIT")
            self._pending.clear()

    def close(self) -> None:
        """Flush and close the database, then release the data folder (idempotent)."""
        if not self._lock.held:
            return
        try:
            self.flush()
            self._db.close()
        finally:
            self._lock.release()

    # -- loading ------------------------------------------------------------------------------------------

    def load_blocks(self) -> Iterator[BlockRecord]:
        """Every stored block, in attach order."""
        rows = self._db.execute(
            "SELECT id, data, attached, held, ref, wf, state, reason, ms FROM blocks ORDER BY seq"
        )
        for bid, data, attached, held, ref, wf, state, reason, ms in rows:
            try:
                block = Block.from_bytes(bytes(data))
            except TanglehubError as exc:
                raise DevnetStoreError(f"stored block 0x{bytes(bid).hex()} does not decode: {exc}") from exc
            yield BlockRecord(
                block_id=bytes(bid),
                data=bytes(data),
                block=block,
                attached_index=attached,
                held=bool(held),
                referenced_by=ref,
                white_flag_index=wf,
                inclusion_state=state,
                conflict_reason=reason,
                milestone_index=ms,
            )

    def load_outputs(self) -> Iterator[OutputRecord]:
        """Every booked output, ordered by booked timestamp and id."""
        rows = self._db.execute(
            "SELECT oid, data, block_id, ms, ts, spent_ms, spent_ts, spent_tx FROM outputs ORDER BY ts, oid"
        )
        for oid, data, block_id, ms, ts, spent_ms, spent_ts, spent_tx in rows:
            try:
                output = output_from_bytes(bytes(data))
            except TanglehubError as exc:
                raise DevnetStoreError(f"stored output 0x{bytes(oid).hex()} does not decode: {exc}") from exc
            spent = None if spent_ms is None else SpentInfo(spent_ms, spent_ts, bytes(spent_tx))
            yield OutputRecord(bytes(oid), output, bytes(block_id), ms, ts, spent)

    def load_diffs(self) -> Iterator[MilestoneDiff]:
        """Every milestone's created/consumed output ids."""
        for idx, created, consumed in self._db.execute("SELECT idx, created, consumed FROM milestones"):
            yield MilestoneDiff(idx, _split34(bytes(created)), _split34(bytes(consumed)))

    def load_included(self) -> list[tuple[bytes, bytes]]:
        """Every applied transaction id with its block id."""
        return [(bytes(t), bytes(b)) for t, b in self._db.execute("SELECT tx, block_id FROM included")]


def _split34(data: bytes) -> tuple[bytes, ...]:
    return tuple(data[i : i + 34] for i in range(0, len(data), 34))
