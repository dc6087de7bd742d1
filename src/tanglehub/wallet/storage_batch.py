"""Batch reads of the wallet state store (many ids per query, for sync and input selection), and the
repair of spent marks that have no proof (:meth:`BatchReads.unproven_spent`, :meth:`BatchReads.set_spent_proof`).

:class:`BatchReads` is mixed into :class:`~tanglehub.wallet.storage_queries.StoreTx`; each method runs inside
the caller's transaction and reads at most 500 ids per ``IN (...)`` query (SQLite's variable limit is far
above that on every supported build).
"""

# ruff: noqa: S608  -- SQL here is assembled only from constant columns and "?" marks; values are bound

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from tanglehub.errors import CodecError
from tanglehub.protocol.output import Output
from tanglehub.wallet.errors import StorageError
from tanglehub.wallet.storage_rows import OUTPUT_COLUMNS, address_row, decode_output, output_row
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

__all__ = ["BatchReads", "InputRow"]


class InputRow(NamedTuple):
    """What input selection reads of a stored output (the first five are the fields of the same names of
    :class:`~tanglehub.wallet.storage_schema.OutputRecord`): whether an unfinished transaction reserved it,
    and where the address it was stored under sits (``owner_account`` None when that address is not
    stored; ``owner_internal`` and ``owner_key_index`` then mean nothing)."""

    output_id: bytes
    account_index: int
    address_hash: bytes
    output: Output
    spent: bool
    reserved: bool
    owner_account: int | None
    owner_internal: bool
    owner_key_index: int


_BATCH = 500
_OWNER = len(OUTPUT_COLUMNS.split(","))
"""Where the address columns start in a row of :meth:`BatchReads.outputs_with_owners`."""


class BatchReads:
    """Reads of many rows by key (see the module docstring)."""

    _conn: sqlite3.Connection

    def outputs_by_id(self, output_ids: Sequence[bytes]) -> dict[bytes, OutputRecord]:
        """The stored outputs among ``output_ids`` (missing ids are left out), read in batches of 500."""
        found: dict[bytes, OutputRecord] = {}
        ids = list(output_ids)
        for start in range(0, len(ids), _BATCH):
            part = ids[start : start + _BATCH]
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(f"SELECT {OUTPUT_COLUMNS} FROM outputs WHERE output_id IN ({marks})", part)
            for row in rows:
                rec = output_row(row)
                found[rec.output_id] = rec
        return found

    def account_addresses(self, account_index: int, hashes: Iterable[bytes]) -> dict[bytes, AddressRecord]:
        """The account's addresses among the Ed25519 public-key ``hashes`` (others are left out)."""
        found: dict[bytes, AddressRecord] = {}
        wanted = list(dict.fromkeys(hashes))
        for start in range(0, len(wanted), _BATCH):
            part = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(part))
            # by the unique hash index (a hash is one address of one account), the account checked here: a
            # condition on account_idx would make SQLite walk every address of the account instead
            rows = self._conn.execute(
                "SELECT account_idx, internal, key_index, hash, bech32, used FROM addresses "
                f"WHERE hash IN ({marks})",
                part,
            )
            for row in rows:
                if int(row[0]) == account_index:
                    rec = address_row(row)
                    found[rec.hash] = rec
        return found

    def outputs_with_owners(
        self, output_ids: Sequence[bytes]
    ) -> tuple[dict[bytes, OutputRecord], dict[bytes, AddressRecord]]:
        """The stored outputs among ``output_ids`` and the stored address each was stored under (keyed by
        address hash), read together in batches of 500 (one query per batch)."""
        found: dict[bytes, OutputRecord] = {}
        owners: dict[bytes, AddressRecord] = {}
        ids = list(output_ids)
        cols = ", ".join(f"o.{c.strip()}" for c in OUTPUT_COLUMNS.split(","))
        for start in range(0, len(ids), _BATCH):
            part = ids[start : start + _BATCH]
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(
                f"SELECT {cols}, a.account_idx, a.internal, a.key_index, a.hash, a.bech32, a.used FROM outputs o "
                f"LEFT JOIN addresses a ON a.hash = o.address_hash WHERE o.output_id IN ({marks})",
                part,
            )
            for row in rows:
                rec = output_row(row)
                found[rec.output_id] = rec
                if row[_OWNER] is not None and rec.address_hash not in owners:
                    owners[rec.address_hash] = address_row(row[_OWNER:])
        return found, owners

    def inputs_by_id(self, output_ids: Sequence[bytes]) -> dict[bytes, InputRow]:
        """The stored outputs among ``output_ids`` as :class:`InputRow` (missing ids are left out): each with
        its reservation mark and the account and key position of the address it was stored under, read
        together in batches of 500 (one query per batch; no address record or reservation list is built)."""
        found: dict[bytes, InputRow] = {}
        ids = list(output_ids)
        for start in range(0, len(ids), _BATCH):
            part = ids[start : start + _BATCH]
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(
                "SELECT o.output_id, o.account_idx, o.address_hash, o.output, o.spent, r.output_id IS NOT NULL, "
                "a.account_idx, a.internal, a.key_index FROM outputs o "
                "LEFT JOIN reservations r ON r.output_id = o.output_id "
                f"LEFT JOIN addresses a ON a.hash = o.address_hash WHERE o.output_id IN ({marks})",
                part,
            )
            for oid, account, address_hash, data, spent, reserved, owner, internal, key_index in rows:
                try:
                    output = decode_output(data)
                except CodecError as exc:
                    raise StorageError(f"stored output 0x{bytes(oid).hex()} does not decode: {exc}") from exc
                found[oid] = InputRow(
                    oid,
                    account,
                    address_hash,
                    output,
                    bool(spent),
                    bool(reserved),
                    owner,
                    bool(internal),
                    key_index or 0,
                )
        return found

    def address_texts(self, hashes: Iterable[bytes]) -> dict[bytes, str]:
        """The stored bech32 text of every address among the Ed25519 public-key ``hashes`` (others are left
        out), in any account."""
        found: dict[bytes, str] = {}
        wanted = list(dict.fromkeys(hashes))
        for start in range(0, len(wanted), _BATCH):
            part = wanted[start : start + _BATCH]
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(f"SELECT hash, bech32 FROM addresses WHERE hash IN ({marks})", part)
            for h, text in rows:
                found[bytes(h)] = str(text)
        return found

    def unproven_spent(self, account_index: int | None = None) -> dict[bytes, int]:
        """Output id -> booked milestone index of the outputs marked spent with neither a spending transaction
        nor a spending milestone (older versions marked an output the node did not know spent that way)."""
        query = "SELECT output_id, booked_index FROM outputs WHERE spent = 1 AND spent_tx_id IS NULL "
        query += "AND spent_index IS NULL"
        args: tuple[int, ...] = ()
        if account_index is not None:
            query, args = query + " AND account_idx = ?", (account_index,)
        return {bytes(oid): int(booked) for oid, booked in self._conn.execute(query, args)}

    def latest_unspent(self) -> tuple[bytes, int] | None:
        """(output id, booked milestone index) of the unspent output booked last (any account), None if none."""
        row = self._conn.execute(
            "SELECT output_id, booked_index FROM outputs WHERE spent = 0 ORDER BY booked_index DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (bytes(row[0]), int(row[1]))

    def set_spent_proof(
        self, output_id: bytes, *, tx_id: bytes | None, milestone_index: int | None, timestamp: int | None
    ) -> None:
        """Fill in where a spent output was spent (an output with a spender is never re-checked)."""
        self._w().execute(
            "UPDATE outputs SET spent_tx_id = ?, spent_index = ?, spent_timestamp = ? WHERE output_id = ? "
            "AND spent = 1",
            (tx_id, milestone_index, timestamp, output_id),
        )

    def mark_output_unspent(self, output_id: bytes) -> OutputRecord | None:
        """Undo a spent mark without proof (the ledger shows the output unspent); its record (as now) when it
        changed, else None."""
        changed = self._w().execute(
            "UPDATE outputs SET spent = 0, spent_tx_id = NULL, spent_index = NULL, spent_timestamp = NULL "
            "WHERE output_id = ? AND spent = 1",
            (output_id,),
        )
        return self.outputs_by_id([output_id]).get(output_id) if changed.rowcount else None

    if TYPE_CHECKING:

        def _w(self) -> sqlite3.Connection:
            """The connection, for a write (``StoreTx``'s, which refuses it in a read transaction)."""
            ...

    def unspent_ids_by_address(self, account_index: int) -> dict[bytes, list[bytes]]:
        """The account's unspent output ids grouped by the address hash they are stored under (no decoding)."""
        rows = self._conn.execute(
            "SELECT address_hash, output_id FROM outputs WHERE spent = 0 AND account_idx = ?", (account_index,)
        )
        grouped: dict[bytes, list[bytes]] = {}
        for h, oid in rows:
            grouped.setdefault(bytes(h), []).append(bytes(oid))
        return grouped
