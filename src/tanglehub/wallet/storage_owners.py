"""Which accounts an output belongs to: every account holding one of the addresses that can unlock it.

An output is stored once, under the account of the address it was found through (``outputs.account_idx``,
``outputs.address_hash``). Its other unlocking Ed25519 hashes (the expiration return address of a micro
payment, the addressee of an output found through its return address, an alias's governor) go into
``output_unlockers``. Reading an account's outputs joins that table with the account's addresses, so the
owner is derived at read time: a payment from account ``hot`` to account ``user-1`` with an expiration is
the ``user-1``'s to claim before it expires and ``hot``'s after, whichever account synced it first and in
both sync modes, and an address generated after the output was stored still finds it.
"""

# ruff: noqa: S608  -- SQL here is assembled only from constant column lists and clauses; values are bound with ?

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from tanglehub.errors import CodecError
from tanglehub.protocol.output import Output, output_from_bytes
from tanglehub.protocol.spendable import unlocker_hashes
from tanglehub.wallet.storage_rows import OUTPUT_COLUMNS, output_row
from tanglehub.wallet.storage_schema import OutputRecord

__all__ = ["backfill_unlockers", "record_many_unlockers", "record_unlockers", "shared_unspent"]


def record_unlockers(conn: sqlite3.Connection, output_id: bytes, output: Output, address_hash: bytes) -> None:
    """Store ``output``'s unlocking hashes other than ``address_hash`` (inside the caller's transaction)."""
    rows = [(h, output_id) for h in unlocker_hashes(output) if h != address_hash]
    if rows:
        conn.executemany("INSERT OR IGNORE INTO output_unlockers(hash, output_id) VALUES (?, ?)", rows)


def record_many_unlockers(conn: sqlite3.Connection, outputs: Sequence[tuple[bytes, Output, bytes]]) -> None:
    """:func:`record_unlockers` for many ``(output id, output, address hash)`` in one statement."""
    rows = [(h, oid) for oid, output, owner in outputs for h in unlocker_hashes(output) if h != owner]
    if rows:
        conn.executemany("INSERT OR IGNORE INTO output_unlockers(hash, output_id) VALUES (?, ?)", rows)


def backfill_unlockers(conn: sqlite3.Connection) -> None:
    """Fill ``output_unlockers`` from every stored unspent output (the migration from schema version 2)."""
    rows = conn.execute("SELECT output_id, output, address_hash FROM outputs WHERE spent = 0").fetchall()
    for oid, raw, address_hash in rows:
        try:
            output = output_from_bytes(bytes(raw))
        except CodecError:  # reported when the output is read
            continue
        record_unlockers(conn, bytes(oid), output, bytes(address_hash))


def shared_unspent(conn: sqlite3.Connection, account_index: int, kind: int | None = None) -> list[OutputRecord]:
    """Unspent outputs stored under another account that one of ``account_index``'s addresses can unlock
    (optionally of one output ``kind``), largest amount first."""
    kind_clause = "" if kind is None else " AND o.kind = ?"
    args = [account_index, account_index] + ([] if kind is None else [kind])
    columns = ", ".join(f"o.{c.strip()}" for c in OUTPUT_COLUMNS.split(","))
    rows = conn.execute(
        f"SELECT DISTINCT {columns} FROM output_unlockers u "
        "JOIN addresses a ON a.hash = u.hash AND a.account_idx = ? "
        "JOIN outputs o ON o.output_id = u.output_id "
        f"WHERE o.spent = 0 AND o.account_idx != ?{kind_clause} ORDER BY o.amount DESC, o.output_id",
        args,
    )
    return [output_row(r) for r in rows]
