"""The wallet's durable event log (the outbox) and its consumers' cursors, as queries on the state store.

:class:`EventQueries` is mixed into :class:`~tanglehub.wallet.storage_queries.StoreTx`: an event is appended in
the same transaction as the change it reports, and a consumer's cursor only moves forward.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tanglehub.wallet.storage_rows import StoredEvent, unix_now
from tanglehub.wallet.storage_schema import EventRecord

__all__ = ["EventQueries"]


class EventQueries:
    """Event log and cursor queries (see the module docstring)."""

    _conn: sqlite3.Connection
    last_event_seq: int | None

    if TYPE_CHECKING:

        def _w(self) -> sqlite3.Connection:
            """The writable connection (StoreTx's, which refuses writes in a read transaction)."""
            ...

    def add_event(self, event: StoredEvent) -> int:
        """Append ``event`` to the durable log in this transaction; return its sequence number."""
        return self.add_event_raw(event.kind, event.to_json(), event.account_index)

    def add_event_raw(self, kind: str, payload: dict[str, Any], account_index: int | None) -> int:
        """Append an event given as kind name and JSON object; return its sequence number."""
        cur = self._w().execute(
            "INSERT INTO events(account_idx, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            (account_index, kind, EventRecord.encode_payload(payload), unix_now()),
        )
        seq = int(cur.lastrowid or 0)
        self.last_event_seq = seq
        return seq

    def add_events(self, events: Sequence[StoredEvent]) -> None:
        """:meth:`add_event` for many, in order, in one statement."""
        if not events:
            return
        now = unix_now()
        conn = self._w()
        conn.executemany(
            "INSERT INTO events(account_idx, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            [(e.account_index, e.kind, EventRecord.encode_payload(e.to_json()), now) for e in events],
        )
        self.last_event_seq = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])

    def events_after(
        self, seq: int, *, limit: int = 1000, kinds: Iterable[str] | None = None, account_index: int | None = None
    ) -> list[EventRecord]:
        """Up to ``limit`` events with a sequence number above ``seq``, in order."""
        clauses = ["seq > ?"]
        args: list[Any] = [seq]
        if kinds is not None:
            names = list(kinds)
            clauses.append(f"kind IN ({', '.join('?' for _ in names)})")
            args.extend(names)
        if account_index is not None:
            clauses.append("account_idx = ?")
            args.append(account_index)
        rows = self._conn.execute(
            "SELECT seq, account_idx, kind, payload, created_at FROM events "  # noqa: S608 - "?" marks only
            f"WHERE {' AND '.join(clauses)} ORDER BY seq LIMIT ?",
            (*args, limit),
        )
        return [EventRecord(int(r[0]), r[1], str(r[2]), json.loads(r[3]), int(r[4])) for r in rows]

    def last_event_seq_stored(self) -> int:
        """The highest event sequence number in the log (0 when empty)."""
        return int(self._conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    def get_cursor(self, consumer: str) -> int:
        """The last sequence number ``consumer`` acknowledged (0 when it never did)."""
        row = self._conn.execute("SELECT seq FROM event_cursors WHERE consumer = ?", (consumer,)).fetchone()
        return 0 if row is None else int(row[0])

    def set_cursor(self, consumer: str, seq: int) -> int:
        """Advance ``consumer``'s cursor to ``seq`` (never backwards); return the stored value."""
        current = self.get_cursor(consumer)
        if seq > current:
            self._w().execute("INSERT OR REPLACE INTO event_cursors(consumer, seq) VALUES (?, ?)", (consumer, seq))
            return seq
        return current
