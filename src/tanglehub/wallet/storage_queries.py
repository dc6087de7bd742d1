"""Every query of the wallet state database, as methods of :class:`StoreTx` (one open transaction).

A ``StoreTx`` is handed to the function given to :meth:`WalletStore.write` / :meth:`WalletStore.read`;
it is only valid inside that call. Write methods raise :class:`StorageError` in a read transaction.
"""

# ruff: noqa: S608  -- SQL here is assembled only from constant column lists and clauses; values are bound with ?

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from tanglehub.protocol.payload import TransactionPayload
from tanglehub.wallet.checks import alias_key
from tanglehub.wallet.errors import AccountAliasTakenError, StorageError
from tanglehub.wallet.storage_batch import BatchReads
from tanglehub.wallet.storage_events import EventQueries
from tanglehub.wallet.storage_owners import record_many_unlockers, record_unlockers, shared_unspent
from tanglehub.wallet.storage_reservations import ReservationQueries
from tanglehub.wallet.storage_rows import (
    OUTPUT_COLUMNS,
    TX_COLUMNS,
    UPDATABLE_TX_FIELDS,
    StoredEvent,
    address_row,
    output_row,
    remember_output,
    tx_row,
    unix_now,
)
from tanglehub.wallet.storage_schema import (
    TX_STATES,
    AccountRecord,
    AddressRecord,
    OutputRecord,
    TransactionRecord,
)

__all__ = ["StoreTx", "StoredEvent"]


_INSERT_OUTPUT = (
    "INSERT OR IGNORE INTO outputs(output_id, account_idx, address_hash, kind, amount, output, block_id, "
    "booked_index, booked_timestamp, spent, spent_tx_id, spent_index, spent_timestamp, chain_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _output_values(rec: OutputRecord, data: bytes) -> tuple[object, ...]:
    """The :data:`_INSERT_OUTPUT` parameters of ``rec`` whose serialized output is ``data``."""
    return (
        rec.output_id,
        rec.account_index,
        rec.address_hash,
        rec.kind,
        rec.amount,
        data,
        rec.block_id,
        rec.booked_index,
        rec.booked_timestamp,
        int(rec.spent),
        rec.spent_tx_id,
        rec.spent_index,
        rec.spent_timestamp,
        rec.chain_id,
    )


class StoreTx(BatchReads, EventQueries, ReservationQueries):
    """One open database transaction with typed queries for every wallet table."""

    __slots__ = ("_conn", "_writable", "last_event_seq")

    def __init__(self, conn: sqlite3.Connection, *, writable: bool) -> None:
        self._conn = conn
        self._writable = writable
        self.last_event_seq: int | None = None
        """The sequence number of the last event added in this transaction (None if none)."""

    @property
    def connection(self) -> sqlite3.Connection:
        """The raw connection, for queries not covered here (stay inside this transaction)."""
        return self._conn

    def _w(self) -> sqlite3.Connection:
        if not self._writable:
            raise StorageError("this is a read-only wallet database transaction; use WalletStore.write")
        return self._conn

    # -- meta ---------------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """The value stored under ``key``, or None."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | int) -> None:
        """Store ``value`` under ``key`` (replacing any old value)."""
        self._w().execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(value)))

    def meta(self) -> dict[str, str]:
        """Every meta entry."""
        return {str(k): str(v) for k, v in self._conn.execute("SELECT key, value FROM meta")}

    # -- accounts -----------------------------------------------------------------------------------------

    def create_account(self, alias: str) -> AccountRecord:
        """Add an account with the next index; a used alias raises :class:`AccountAliasTakenError`."""
        conn = self._w()
        taken = self.account_by_alias(alias)
        if taken is not None:
            same = "" if taken.alias == alias else f" ({taken.alias!r}: case and accents are ignored)"
            raise AccountAliasTakenError(
                f"an account with alias {alias!r} already exists{same}; choose another alias"
            )
        index = int(conn.execute("SELECT coalesce(max(idx) + 1, 0) FROM accounts").fetchone()[0])
        now = unix_now()
        conn.execute("INSERT INTO accounts(idx, alias, created_at) VALUES (?, ?, ?)", (index, alias, now))
        return AccountRecord(index, alias, now)

    def account(self, index: int) -> AccountRecord | None:
        """The account with BIP44 account index ``index``."""
        row = self._conn.execute("SELECT idx, alias, created_at FROM accounts WHERE idx = ?", (index,)).fetchone()
        return None if row is None else AccountRecord(int(row[0]), str(row[1]), int(row[2]))

    def account_by_alias(self, alias: str) -> AccountRecord | None:
        """The account named ``alias`` by ``checks.alias_key`` (an exact match wins); ASCII in SQL."""
        row = self._conn.execute(
            "SELECT idx, alias, created_at FROM accounts WHERE alias = ?", (alias,)
        ).fetchone()
        if row is None:
            key = alias_key(alias)
            for candidate in self._conn.execute(
                "SELECT idx, alias, created_at FROM accounts WHERE lower(alias) = ? OR alias GLOB '*[^ -~]*' "
                "ORDER BY idx",
                (key,),
            ):
                if alias_key(str(candidate[1])) == key:
                    row = candidate
                    break
        return None if row is None else AccountRecord(int(row[0]), str(row[1]), int(row[2]))

    def accounts(self) -> list[AccountRecord]:
        """All accounts by index."""
        rows = self._conn.execute("SELECT idx, alias, created_at FROM accounts ORDER BY idx")
        return [AccountRecord(int(r[0]), str(r[1]), int(r[2])) for r in rows]

    # -- addresses ----------------------------------------------------------------------------------------

    def insert_addresses(self, records: Iterable[AddressRecord]) -> None:
        """Store generated addresses."""
        self._w().executemany(
            "INSERT INTO addresses(account_idx, internal, key_index, hash, bech32, used) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            ((r.account_index, int(r.internal), r.key_index, r.hash, r.bech32, int(r.used)) for r in records),
        )

    def next_key_index(self, account_index: int, internal: bool) -> int:
        """The key index the next generated address of this chain gets."""
        row = self._conn.execute(
            "SELECT coalesce(max(key_index) + 1, 0) FROM addresses WHERE account_idx = ? AND internal = ?",
            (account_index, int(internal)),
        ).fetchone()
        return int(row[0])

    def addresses(self, account_index: int, internal: bool | None = None) -> list[AddressRecord]:
        """The account's addresses (one chain or both), public chain first, by key index."""
        sql = "SELECT account_idx, internal, key_index, hash, bech32, used FROM addresses WHERE account_idx = ?"
        args: list[Any] = [account_index]
        if internal is not None:
            sql += " AND internal = ?"
            args.append(int(internal))
        rows = self._conn.execute(sql + " ORDER BY internal, key_index", args)
        return [address_row(r) for r in rows]

    def address_by_hash(self, pub_key_hash: bytes) -> AddressRecord | None:
        """The address with this Ed25519 public-key hash, in any account."""
        row = self._conn.execute(
            "SELECT account_idx, internal, key_index, hash, bech32, used FROM addresses WHERE hash = ?",
            (pub_key_hash,),
        ).fetchone()
        return None if row is None else address_row(row)

    def address_hashes(self, account_index: int | None = None) -> dict[bytes, int]:
        """Every address hash (of one account, or of all) mapped to its account index."""
        if account_index is None:
            rows = self._conn.execute("SELECT hash, account_idx FROM addresses")
        else:
            rows = self._conn.execute(
                "SELECT hash, account_idx FROM addresses WHERE account_idx = ?", (account_index,)
            )
        return {bytes(h): int(a) for h, a in rows}

    def first_unused_address(self, account_index: int, internal: bool = False) -> AddressRecord | None:
        """The unused address of the chain with the highest key index after the last used one, or None."""
        row = self._conn.execute(
            "SELECT account_idx, internal, key_index, hash, bech32, used FROM addresses "
            "WHERE account_idx = ? AND internal = ? AND used = 0 AND key_index > "
            "(SELECT coalesce(max(key_index), -1) FROM addresses "
            "WHERE account_idx = ? AND internal = ? AND used = 1) "
            "ORDER BY key_index LIMIT 1",
            (account_index, int(internal), account_index, int(internal)),
        ).fetchone()
        return None if row is None else address_row(row)

    def addresses_after(self, rowid: int) -> list[tuple[int, AddressRecord]]:
        """(row id, address) of every address stored after row ``rowid``, in storing order."""
        rows = self._conn.execute(
            "SELECT rowid, account_idx, internal, key_index, hash, bech32, used FROM addresses "
            "WHERE rowid > ? ORDER BY rowid",
            (rowid,),
        )
        return [(int(r[0]), address_row(r[1:])) for r in rows]

    def last_booked_index(self) -> int:
        """The highest milestone index that booked a stored output (0 when none is stored)."""
        return int(self._conn.execute("SELECT coalesce(max(booked_index), 0) FROM outputs").fetchone()[0])

    def mark_address_used(self, pub_key_hash: bytes) -> None:
        """Flag the address as having received an output."""
        self._w().execute("UPDATE addresses SET used = 1 WHERE hash = ?", (pub_key_hash,))

    # -- outputs ------------------------------------------------------------------------------------------

    def insert_output(self, rec: OutputRecord) -> bool:
        """Store ``rec`` unless an output with its id is already stored; True when it was new."""
        data = rec.output.to_bytes()
        cur = self._w().execute(_INSERT_OUTPUT, _output_values(rec, data))
        if cur.rowcount == 1:
            self.mark_address_used(rec.address_hash)
            record_unlockers(self._w(), rec.output_id, rec.output, rec.address_hash)
            remember_output(data, rec.output)
            return True
        return False

    def insert_outputs(self, records: Sequence[OutputRecord]) -> list[OutputRecord]:
        """:meth:`insert_output` for many: store every record whose output id is not stored yet (the first of
        a repeated id) with the same side rows, one statement per kind of row; return those stored, in order."""
        conn = self._w()
        stored = self.known_output_ids(r.output_id for r in records)
        new: list[OutputRecord] = []
        for rec in records:
            if rec.output_id not in stored:
                stored.add(rec.output_id)
                new.append(rec)
        if not new:
            return []
        data = [rec.output.to_bytes() for rec in new]
        conn.executemany(_INSERT_OUTPUT, [_output_values(rec, raw) for rec, raw in zip(new, data, strict=True)])
        used = dict.fromkeys(rec.address_hash for rec in new)
        conn.executemany("UPDATE addresses SET used = 1 WHERE hash = ?", [(h,) for h in used])
        record_many_unlockers(conn, [(rec.output_id, rec.output, rec.address_hash) for rec in new])
        for rec, raw in zip(new, data, strict=True):
            remember_output(raw, rec.output)
        return new

    def output(self, output_id: bytes) -> OutputRecord | None:
        """The stored output with this id."""
        row = self._conn.execute(
            f"SELECT {OUTPUT_COLUMNS} FROM outputs WHERE output_id = ?", (output_id,)
        ).fetchone()
        return None if row is None else output_row(row)

    def outputs(
        self,
        account_index: int | None = None,
        *,
        spent: bool | None = None,
        address_hash: bytes | None = None,
        kind: int | None = None,
        booked_after: int | None = None,
        booked_before: int | None = None,
    ) -> list[OutputRecord]:
        """Stored outputs matching every given filter, oldest booking first."""
        clauses: list[str] = []
        args: list[Any] = []
        for clause, value in (
            ("account_idx = ?", account_index),
            ("spent = ?", None if spent is None else int(spent)),
            ("address_hash = ?", address_hash),
            ("kind = ?", kind),
            ("booked_timestamp >= ?", booked_after),
            ("booked_timestamp < ?", booked_before),
        ):
            if value is not None:
                clauses.append(clause)
                args.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._conn.execute(
            f"SELECT {OUTPUT_COLUMNS} FROM outputs{where} ORDER BY booked_index, output_id", args
        )
        return [output_row(r) for r in rows]

    def unspent_by_amount(
        self, account_index: int, *, kind: int | None = 3, limit: int, offset: int = 0
    ) -> list[OutputRecord]:
        """Up to ``limit`` of the account's unspent outputs (of one output ``kind``, basic by default),
        largest amount first, ties by output id, skipping the first ``offset``; only those rows are decoded."""
        kind_clause = "" if kind is None else " AND kind = ?"
        args: list[Any] = [account_index] + ([] if kind is None else [kind]) + [limit, offset]
        rows = self._conn.execute(
            f"SELECT {OUTPUT_COLUMNS} FROM outputs WHERE account_idx = ? AND spent = 0{kind_clause} "
            "ORDER BY amount DESC, output_id LIMIT ? OFFSET ?",
            args,
        )
        return [output_row(r) for r in rows]

    def shared_unspent(self, account_index: int, kind: int | None = None) -> list[OutputRecord]:
        """Unspent outputs stored under another account that one of this account's addresses can unlock
        (see :mod:`tanglehub.wallet.storage_owners`)."""
        return shared_unspent(self._conn, account_index, kind)

    def account_address(self, account_index: int, pub_key_hash: bytes) -> AddressRecord | None:
        """The account's address with this Ed25519 public-key hash (None when it is not the account's)."""
        row = self._conn.execute(
            "SELECT account_idx, internal, key_index, hash, bech32, used FROM addresses "
            "WHERE hash = ? AND account_idx = ?",
            (pub_key_hash, account_index),
        ).fetchone()
        return None if row is None else address_row(row)

    def unspent_output_ids(self, account_index: int | None = None) -> set[bytes]:
        """Ids of the unspent outputs (of one account, or of all)."""
        if account_index is None:
            rows = self._conn.execute("SELECT output_id FROM outputs WHERE spent = 0")
        else:
            rows = self._conn.execute(
                "SELECT output_id FROM outputs WHERE spent = 0 AND account_idx = ?", (account_index,)
            )
        return {bytes(r[0]) for r in rows}

    def unspent_total(self, account_index: int) -> int:
        """The base tokens in the account's unspent outputs."""
        query = "SELECT coalesce(sum(amount), 0) FROM outputs WHERE account_idx = ? AND spent = 0"
        return int(self._conn.execute(query, (account_index,)).fetchone()[0])

    def known_output_ids(self, output_ids: Iterable[bytes]) -> set[bytes]:
        """Which of ``output_ids`` are stored (spent or not); one query per 500 ids."""
        ids = list(dict.fromkeys(output_ids))
        known: set[bytes] = set()
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._conn.execute(f"SELECT output_id FROM outputs WHERE output_id IN ({marks})", part)
            known.update(bytes(r[0]) for r in rows)
        return known

    def unspent_owners(self, output_ids: Iterable[bytes]) -> dict[bytes, int]:
        """Which of ``output_ids`` are stored and unspent, mapped to their account; one lookup each."""
        query = "SELECT account_idx FROM outputs WHERE output_id = ? AND spent = 0"
        owners: dict[bytes, int] = {}
        for oid in output_ids:
            row = self._conn.execute(query, (oid,)).fetchone()
            if row is not None:
                owners[oid] = int(row[0])
        return owners

    def mark_output_spent(
        self, output_id: bytes, *, tx_id: bytes | None, milestone_index: int | None, timestamp: int | None
    ) -> OutputRecord | None:
        """Mark an unspent output spent; return its record (as before) when it changed, else None."""
        before = self.output(output_id)
        if before is None or before.spent:
            return None
        self._w().execute(
            "UPDATE outputs SET spent = 1, spent_tx_id = ?, spent_index = ?, spent_timestamp = ? "
            "WHERE output_id = ?",
            (tx_id, milestone_index, timestamp, output_id),
        )
        self._conn.execute("DELETE FROM reservations WHERE output_id = ?", (output_id,))
        return before

    # -- transactions -------------------------------------------------------------------------------------

    def insert_transaction(
        self,
        account_index: int,
        payload: TransactionPayload,
        *,
        block_id: bytes | None = None,
        note: str | None = None,
    ) -> TransactionRecord:
        """Store a new ``pending`` transaction; storing the same payload twice is refused."""
        tx_id = payload.transaction_id()
        now = unix_now()
        try:
            self._w().execute(
                f"INSERT INTO transactions({TX_COLUMNS}) VALUES (?, ?, ?, ?, 'pending', NULL, NULL, ?, ?, ?, 0)",
                (tx_id, account_index, payload.to_bytes(), block_id, note, now, now),
            )
        except sqlite3.IntegrityError as exc:
            raise StorageError(f"transaction 0x{tx_id.hex()} is already stored") from exc
        return TransactionRecord(tx_id, account_index, payload, block_id, "pending", None, None, note, now, now, 0)

    def update_transaction(self, tx_id: bytes, **fields: Any) -> TransactionRecord:
        """Change tracking fields (``block_id``, ``state``, ``conflict_reason``, ``inclusion_index``, ``note``,
        ``attempts``) of a stored transaction; ``updated_at`` is set to now."""
        unknown = set(fields) - UPDATABLE_TX_FIELDS
        if unknown:
            raise StorageError(f"cannot update transaction field(s) {sorted(unknown)}")
        if "state" in fields and fields["state"] not in TX_STATES:
            raise StorageError(f"transaction state must be one of {TX_STATES}, got {fields['state']!r}")
        names = sorted(fields)
        assignments = ", ".join(f"{n} = ?" for n in names)
        args = [fields[n] for n in names]
        cur = self._w().execute(
            f"UPDATE transactions SET {assignments + ', ' if assignments else ''}updated_at = ? WHERE tx_id = ?",
            (*args, unix_now(), tx_id),
        )
        if cur.rowcount != 1:
            raise StorageError(f"no stored transaction 0x{tx_id.hex()}")
        record = self.transaction(tx_id)
        assert record is not None
        return record

    def transaction(self, tx_id: bytes) -> TransactionRecord | None:
        """The stored transaction with this id."""
        row = self._conn.execute(f"SELECT {TX_COLUMNS} FROM transactions WHERE tx_id = ?", (tx_id,)).fetchone()
        return None if row is None else tx_row(row)

    def transactions(
        self,
        account_index: int | None = None,
        *,
        state: str | None = None,
        created_after: int | None = None,
        created_before: int | None = None,
    ) -> list[TransactionRecord]:
        """Stored transactions matching every given filter, oldest first."""
        clauses: list[str] = []
        args: list[Any] = []
        for clause, value in (
            ("account_idx = ?", account_index),
            ("state = ?", state),
            ("created_at >= ?", created_after),
            ("created_at < ?", created_before),
        ):
            if value is not None:
                clauses.append(clause)
                args.append(value)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._conn.execute(f"SELECT {TX_COLUMNS} FROM transactions{where} ORDER BY created_at, tx_id", args)
        return [tx_row(r) for r in rows]
