"""The wallet state database: schema (version 3), its migrations, and the typed rows read from it.

One SQLite file (``wallet.db``) per wallet. Tables:

* ``meta(key, value)``: wallet settings (``coin_type``, ``network_name``, ``bech32_hrp``, ``network_id``,
  ``ledger_cursor`` = next milestone index ledger sync reads, ``schema_version``).
* ``accounts(idx, alias, created_at)``: ``idx`` counts up from 0; ``alias`` is unique.
* ``addresses(account_idx, internal, key_index, hash, bech32, used)``: every generated address; ``hash``
  (the Ed25519 public-key hash) is unique, so address -> account is one index lookup.
* ``outputs(output_id, account_idx, address_hash, kind, amount, output, block_id, booked_index,
  booked_timestamp, spent, spent_tx_id, spent_index, spent_timestamp, chain_id)``: outputs the wallet owns
  (``output`` holds the output's TIP-18 bytes; ``kind`` is the output type 3..6). The index
  ``outputs_for_selection(account_idx, spent, kind, amount DESC, output_id)`` lets input selection read
  unspent outputs largest first and stop early, and covers the balance sum (added in version 2).
* ``output_unlockers(hash, output_id)``: the other Ed25519 hashes (besides ``address_hash``) that can unlock
  a stored output: the expiration return address, the addressee when the output was found through its
  return address, an alias's governor. An output therefore belongs to every account holding one of its
  unlocking addresses, derived at read time (added in version 3).
* ``transactions(tx_id, account_idx, payload, block_id, state, conflict_reason, inclusion_index, note,
  created_at, updated_at, attempts)``: transactions the wallet sent; ``state`` is ``pending``,
  ``confirmed`` or ``conflicting``.
* ``reservations(output_id, tx_id, account_idx, reserved_at)``: inputs locked by an unfinished transaction.
* ``events(seq, account_idx, kind, payload, created_at)``: the durable event log (outbox), written in the same
  database transaction as the change it reports.
* ``event_cursors(consumer, seq)``: the last sequence number each named consumer acknowledged.

Times are unix seconds (UTC). Amounts are integers (SQLite INTEGER is a signed 64-bit value; an amount is
bounded by the token supply, far below 2^63).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tanglehub.protocol.output import Output
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.wallet.reprs import hex_repr

__all__ = [
    "AccountRecord",
    "AddressRecord",
    "EventRecord",
    "MIGRATIONS",
    "OutputRecord",
    "Reservation",
    "SCHEMA_SQL",
    "SCHEMA_VERSION",
    "TX_STATES",
    "TransactionRecord",
]

SCHEMA_VERSION = 3
"""The schema this code writes (stored as ``PRAGMA user_version`` and ``meta.schema_version``)."""

TX_STATES = ("pending", "confirmed", "conflicting")
"""The states a stored transaction can be in."""

SCHEMA_SQL = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE accounts (
    idx INTEGER PRIMARY KEY,
    alias TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE TABLE addresses (
    account_idx INTEGER NOT NULL REFERENCES accounts(idx),
    internal INTEGER NOT NULL,
    key_index INTEGER NOT NULL,
    hash BLOB NOT NULL UNIQUE,
    bech32 TEXT NOT NULL UNIQUE,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_idx, internal, key_index)
);
CREATE TABLE outputs (
    output_id BLOB PRIMARY KEY,
    account_idx INTEGER NOT NULL REFERENCES accounts(idx),
    address_hash BLOB NOT NULL,
    kind INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    output BLOB NOT NULL,
    block_id BLOB,
    booked_index INTEGER NOT NULL,
    booked_timestamp INTEGER NOT NULL,
    spent INTEGER NOT NULL DEFAULT 0,
    spent_tx_id BLOB,
    spent_index INTEGER,
    spent_timestamp INTEGER,
    chain_id BLOB
);
CREATE INDEX outputs_by_account ON outputs(account_idx, spent);
CREATE INDEX outputs_by_address ON outputs(address_hash);
CREATE INDEX outputs_for_selection ON outputs(account_idx, spent, kind, amount DESC, output_id);
CREATE TABLE output_unlockers (
    hash BLOB NOT NULL,
    output_id BLOB NOT NULL,
    PRIMARY KEY (hash, output_id)
) WITHOUT ROWID;
CREATE TABLE transactions (
    tx_id BLOB PRIMARY KEY,
    account_idx INTEGER NOT NULL REFERENCES accounts(idx),
    payload BLOB NOT NULL,
    block_id BLOB,
    state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'conflicting')),
    conflict_reason INTEGER,
    inclusion_index INTEGER,
    note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX transactions_by_account ON transactions(account_idx, state);
CREATE TABLE reservations (
    output_id BLOB PRIMARY KEY,
    tx_id BLOB NOT NULL,
    account_idx INTEGER NOT NULL,
    reserved_at INTEGER NOT NULL
);
CREATE INDEX reservations_by_tx ON reservations(tx_id);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_idx INTEGER,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE event_cursors (
    consumer TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
);
"""

MIGRATIONS: dict[int, str] = {
    1: "CREATE INDEX IF NOT EXISTS outputs_for_selection "
    "ON outputs(account_idx, spent, kind, amount DESC, output_id)",
    2: "CREATE TABLE IF NOT EXISTS output_unlockers (hash BLOB NOT NULL, output_id BLOB NOT NULL, "
    "PRIMARY KEY (hash, output_id)) WITHOUT ROWID",
}
"""SQL that takes a database from schema version ``key`` to ``key + 1`` (applied in order on open; the step
from 2 also fills ``output_unlockers`` from the stored outputs, see
:func:`tanglehub.wallet.storage_owners.backfill_unlockers`)."""


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One account: its BIP44 account index and its unique alias."""

    index: int
    alias: str
    created_at: int


@dataclass(frozen=True, slots=True)
class AddressRecord:
    """One generated address of an account (public chain, or internal when ``internal``)."""

    __repr__ = hex_repr

    account_index: int
    internal: bool
    key_index: int
    hash: bytes
    bech32: str
    used: bool


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """An output the wallet owns (or owned, when ``spent``), with where it was booked and spent."""

    __repr__ = hex_repr

    output_id: bytes
    account_index: int
    address_hash: bytes
    output: Output
    block_id: bytes | None
    booked_index: int
    booked_timestamp: int
    spent: bool = False
    spent_tx_id: bytes | None = None
    spent_index: int | None = None
    spent_timestamp: int | None = None
    chain_id: bytes | None = None

    @property
    def amount(self) -> int:
        """The output's base-token amount."""
        return self.output.amount

    @property
    def kind(self) -> int:
        """The output type (3 basic, 4 alias, 5 foundry, 6 NFT)."""
        return self.output.KIND


@dataclass(frozen=True, slots=True)
class TransactionRecord:
    """A transaction the wallet built, with its tracking state."""

    __repr__ = hex_repr

    tx_id: bytes
    account_index: int
    payload: TransactionPayload
    block_id: bytes | None
    state: str
    conflict_reason: int | None
    inclusion_index: int | None
    note: str | None
    created_at: int
    updated_at: int
    attempts: int


@dataclass(frozen=True, slots=True)
class Reservation:
    """An output locked as an input of the unfinished transaction ``tx_id``."""

    __repr__ = hex_repr

    output_id: bytes
    tx_id: bytes
    account_index: int
    reserved_at: int


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One entry of the durable event log; ``payload`` is the event's JSON object."""

    seq: int
    account_index: int | None
    kind: str
    payload: dict[str, Any]
    created_at: int

    @staticmethod
    def encode_payload(payload: dict[str, Any]) -> str:
        """The canonical JSON text stored for ``payload``."""
        return json.dumps(payload, sort_keys=True, separators=(",", ":"))
