"""The signer's durable state (SQLite, WAL, ``synchronous=FULL``): derived addresses, decisions by request id,
counted withdrawals, transactions signed, and the audit log.

Every decision is one database transaction: the request's answer, the withdrawals it counts, the transaction
it signed and its audit record commit together, before the answer leaves the process. A request retried with
the same id after a crash finds its stored answer and is counted once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tanglehub.signer.audit import GENESIS_HASH, AuditRecord, record_hash
from tanglehub.signer.errors import SignerConfigError

__all__ = ["CountedWithdrawal", "SignerState", "StoredAnswer"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS addresses (
    account INTEGER NOT NULL, change INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL UNIQUE,
    PRIMARY KEY (account, change, idx));
CREATE TABLE IF NOT EXISTS legacy_addresses (seed_uuid TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY, body_hash BLOB NOT NULL, decision TEXT NOT NULL, answer TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS withdrawals (
    wkey TEXT PRIMARY KEY, address TEXT NOT NULL, amount INTEGER NOT NULL, first_at REAL NOT NULL,
    essence_hash BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS ix_withdrawals_first_at ON withdrawals (first_at);
CREATE TABLE IF NOT EXISTS transactions (
    essence_hash BLOB PRIMARY KEY, tx_id BLOB NOT NULL, inputs TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY, at REAL NOT NULL, request_id TEXT NOT NULL, decision TEXT NOT NULL,
    reason TEXT NOT NULL, summary TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """The answer a request got: its body hash, the decision and the JSON answer."""

    body_hash: bytes
    decision: str
    answer: dict[str, object]


@dataclass(frozen=True, slots=True)
class CountedWithdrawal:
    """A withdrawal already counted against the limits, and the essence it was last signed in."""

    address: str
    amount: int
    essence_hash: bytes


class SignerState:
    """One open state database; thread-safe (one connection behind a lock)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise SignerConfigError(f"the signer state database {path} cannot be opened: {exc}") from exc

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def now(self) -> float:
        """The clock the state counts windows with (unix seconds)."""
        return self._clock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction, committed on success and rolled back on any error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- addresses -------------------------------------------------------------------------------------

    def record_addresses(self, account: int, change: int, start: int, hashes: Sequence[bytes]) -> None:
        """Remember derived addresses (so outputs to them count as the signer's own)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO addresses (account, change, idx, hash) VALUES (?, ?, ?, ?)",
                [(account, change, start + i, h) for i, h in enumerate(hashes)],
            )

    def recorded_hashes(self, account: int, change: int, indexes: Sequence[int]) -> dict[int, bytes]:
        """The recorded address hashes of ``indexes`` on ``account``/``change`` (those derived before)."""
        found: dict[int, bytes] = {}
        with self._lock:
            for i in range(0, len(indexes), 500):
                chunk = list(indexes[i : i + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT idx, hash FROM addresses WHERE account = ? AND change = ? AND idx IN ({marks})",  # noqa: S608
                    (account, change, *chunk),
                )
                found.update({int(r[0]): bytes(r[1]) for r in rows})
        return found

    def record_legacy(self, seed_uuid: str, address_hash: bytes) -> None:
        """Remember a legacy-scheme address (seed UUID -> address hash)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO legacy_addresses (seed_uuid, hash) VALUES (?, ?)", (seed_uuid, address_hash)
            )

    def recorded_legacy(self, seed_uuids: Sequence[str]) -> dict[str, bytes]:
        """The recorded address hashes of these seed UUIDs."""
        found: dict[str, bytes] = {}
        with self._lock:
            for u in seed_uuids:
                row = self._db.execute("SELECT hash FROM legacy_addresses WHERE seed_uuid = ?", (u,)).fetchone()
                if row is not None:
                    found[u] = bytes(row[0])
        return found

    def is_own(self, address_hash: bytes) -> bool:
        """True when the signer derived this Ed25519 address hash (HD or legacy scheme)."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM addresses WHERE hash = ? UNION ALL SELECT 1 FROM legacy_addresses WHERE hash = ?",
                (address_hash, address_hash),
            ).fetchone()
        return row is not None

    # -- decisions -------------------------------------------------------------------------------------

    def answer(self, request_id: str) -> StoredAnswer | None:
        """The stored answer of ``request_id``, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT body_hash, decision, answer FROM requests WHERE request_id = ?", (request_id,)
            ).fetchone()
        return None if row is None else StoredAnswer(row[0], row[1], json.loads(row[2]))

    def counted(self, wkey: str) -> CountedWithdrawal | None:
        """The counted withdrawal with identity ``wkey``, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT address, amount, essence_hash FROM withdrawals WHERE wkey = ?", (wkey,)
            ).fetchone()
        return None if row is None else CountedWithdrawal(row[0], row[1], row[2])

    def window_usage(self, since: float) -> tuple[int, dict[str, int]]:
        """(total, per destination address) of the withdrawals first signed at or after ``since``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT address, SUM(amount) FROM withdrawals WHERE first_at >= ? GROUP BY address", (since,)
            ).fetchall()
        per = {str(r[0]): int(r[1]) for r in rows}
        return sum(per.values()), per

    def signed_transaction(self, essence_hash: bytes) -> tuple[bytes, list[bytes]] | None:
        """(transaction id, consumed output ids) of the transaction signed with this essence, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT tx_id, inputs FROM transactions WHERE essence_hash = ?", (essence_hash,)
            ).fetchone()
        return None if row is None else (bytes(row[0]), [bytes.fromhex(h) for h in json.loads(row[1])])

    def append_audit(
        self, db: sqlite3.Connection, request_id: str, decision: str, reason: str, summary: dict[str, object]
    ) -> int:
        """Append one audit record inside ``db``'s open transaction; return its sequence number."""
        last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (1, GENESIS_HASH) if last is None else (last[0] + 1, last[1])
        at = self.now()
        text = json.dumps(summary, sort_keys=True, separators=(",", ":"))
        digest = record_hash(seq, at, request_id, decision, reason, text, prev)
        db.execute(
            "INSERT INTO audit (seq, at, request_id, decision, reason, summary, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, at, request_id, decision, reason, text, prev, digest),
        )
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)", (f"{int(seq)}:{digest.hex()}",)
        )
        return int(seq)

    def audit_head(self) -> tuple[int, bytes] | None:
        """(sequence number, hash) of the newest record as written with it, or None before the first."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        if row is None:
            return None
        seq, _, digest = str(row[0]).partition(":")
        return int(seq), bytes.fromhex(digest)

    def unaudited_requests(self) -> list[str]:
        """Request ids that have a stored answer but no audit record (a deleted record leaves one)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT request_id FROM requests WHERE request_id NOT IN (SELECT request_id FROM audit)"
                " ORDER BY request_id LIMIT 10"
            ).fetchall()
        return [str(r[0]) for r in rows]

    def audit_records(self) -> Iterator[AuditRecord]:
        """Every audit record in sequence order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, at, request_id, decision, reason, summary, prev_hash, hash FROM audit ORDER BY seq"
            ).fetchall()
        for r in rows:
            yield AuditRecord(r[0], r[1], r[2], r[3], r[4], r[5], bytes(r[6]), bytes(r[7]))
