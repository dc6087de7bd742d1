"""Input reservations: an unfinished transaction locks the outputs it spends, so that no other transaction
selects them (:class:`ReservationQueries`, a part of :class:`~tanglehub.wallet.storage_queries.StoreTx`).
The lock is a row of the ``reservations`` table, written in the same database transaction as the
transaction that takes the inputs, so it is as durable as the transaction record.
"""

# ruff: noqa: S608  -- SQL here is assembled only from constant clauses; values are bound with ?

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tanglehub.wallet.errors import OutputReservedError
from tanglehub.wallet.storage_rows import unix_now
from tanglehub.wallet.storage_schema import Reservation

__all__ = ["ReservationQueries"]

_RESERVE_ROWS = 500
"""Reservations one INSERT adds (one bound id each, plus three shared values: within the 999 bound variables
of the oldest SQLite builds)."""


class ReservationQueries:
    """Reservation queries (see the module docstring)."""

    _conn: sqlite3.Connection

    if TYPE_CHECKING:

        def _w(self) -> sqlite3.Connection:
            """The writable connection (StoreTx's, which refuses writes in a read transaction)."""
            ...

    def reserve_outputs(self, output_ids: Iterable[bytes], tx_id: bytes, account_index: int) -> None:
        """Lock outputs as inputs of ``tx_id``; if any is locked by another transaction nothing is locked
        (:class:`OutputReservedError`; the caller's transaction is then rolled back). Outputs already locked
        by ``tx_id`` itself stay locked once."""
        conn = self._w()
        ids = list(dict.fromkeys(output_ids))
        now = unix_now()
        taken: list[bytes] = []
        conn.execute("SAVEPOINT reserve_outputs")
        try:
            for start in range(0, len(ids), _RESERVE_ROWS):  # one statement for a transaction's inputs
                part = ids[start : start + _RESERVE_ROWS]
                # ?1..?3 (transaction, account, time) are bound once and shared by every row
                rows = ",".join(f"(?{n}, ?1, ?2, ?3)" for n in range(4, 4 + len(part)))
                conn.execute(
                    f"INSERT INTO reservations(output_id, tx_id, account_idx, reserved_at) VALUES {rows}",
                    [tx_id, account_index, now, *part],
                )
        except sqlite3.IntegrityError:  # some were locked already: by this transaction (fine) or another
            conn.execute("ROLLBACK TO reserve_outputs")
            for start in range(0, len(ids), 500):  # one query per 500 ids
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                query = f"SELECT output_id FROM reservations WHERE tx_id != ? AND output_id IN ({marks})"
                taken += [bytes(r[0]) for r in conn.execute(query, [tx_id, *part])]
            if not taken:
                conn.executemany(
                    "INSERT OR IGNORE INTO reservations(output_id, tx_id, account_idx, reserved_at) "
                    "VALUES (?, ?, ?, ?)",
                    ((oid, tx_id, account_index, now) for oid in ids),
                )
        conn.execute("RELEASE reserve_outputs")
        if taken:
            raise OutputReservedError(
                f"{len(taken)} output(s) are already inputs of another unfinished transaction "
                f"(first: 0x{taken[0].hex()}); sync or wait for it to finish"
            )

    def release_reservations(self, tx_id: bytes) -> list[bytes]:
        """Unlock every output reserved by ``tx_id``; return their ids."""
        conn = self._w()
        ids = [bytes(r[0]) for r in conn.execute("SELECT output_id FROM reservations WHERE tx_id = ?", (tx_id,))]
        conn.execute("DELETE FROM reservations WHERE tx_id = ?", (tx_id,))
        return ids

    def release_outputs(self, output_ids: Iterable[bytes]) -> None:
        """Unlock the given outputs whatever reserved them."""
        self._w().executemany("DELETE FROM reservations WHERE output_id = ?", ((oid,) for oid in output_ids))

    def reservations(self, account_index: int | None = None) -> list[Reservation]:
        """Current reservations (of one account, or of all)."""
        sql = "SELECT output_id, tx_id, account_idx, reserved_at FROM reservations"
        rows = (
            self._conn.execute(sql + " ORDER BY reserved_at")
            if account_index is None
            else self._conn.execute(sql + " WHERE account_idx = ? ORDER BY reserved_at", (account_index,))
        )
        return [Reservation(bytes(r[0]), bytes(r[1]), int(r[2]), int(r[3])) for r in rows]

    def reserved_output_ids(self, account_index: int | None = None) -> set[bytes]:
        """Ids of the reserved outputs (of one account, or of all)."""
        if account_index is None:
            rows = self._conn.execute("SELECT output_id FROM reservations")
        else:
            rows = self._conn.execute("SELECT output_id FROM reservations WHERE account_idx = ?", (account_index,))
        return {bytes(r[0]) for r in rows}
