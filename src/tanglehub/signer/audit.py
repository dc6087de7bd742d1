"""The signer's audit log: append-only and hash-chained, one record per decision.

Each record holds its sequence number (from 1, no gaps), the time (unix seconds), the request id, the
decision (``signed``, ``refused`` or ``derived``), the reason code (refusals), a JSON summary of the request
(outputs, withdrawals, transaction id; never key material) and the hash of the previous record (32 zero
bytes for the first). Its own hash is BLAKE2b-256 over the canonical JSON of all those fields. The records
live in the signer's SQLite state database, written in the same transaction as the decision's counters and
before any signature is returned; SQLite triggers refuse UPDATE and DELETE. :func:`verify_records` finds
the first record whose hash or link does not match (tampering, deletion, reordering).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tanglehub.protocol.ids import blake2b256
from tanglehub.signer.errors import AuditLogCorrupted

__all__ = ["GENESIS_HASH", "AuditRecord", "record_hash", "verify_log", "verify_records"]

GENESIS_HASH = bytes(32)
"""The ``prev_hash`` of the first record."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One decision of the signer, as stored."""

    seq: int
    at: float
    request_id: str
    decision: str
    reason: str
    summary: str
    prev_hash: bytes
    hash: bytes


def record_hash(  # noqa: PLR0917 - the record's fields in stored order
    seq: int, at: float, request_id: str, decision: str, reason: str, summary: str, prev: bytes
) -> bytes:
    """BLAKE2b-256 of the record's canonical JSON (every field but the hash itself)."""
    canonical = json.dumps(
        [seq, repr(at), request_id, decision, reason, summary, prev.hex()],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return blake2b256(canonical.encode("ascii"))


def verify_records(records: Iterable[AuditRecord]) -> int:
    """Check the chain from the first record; return how many records it holds. Raises
    :class:`AuditLogCorrupted` naming the first bad record (wrong sequence, broken link or wrong hash)."""
    prev = GENESIS_HASH
    expected = 1
    for r in records:
        if r.seq != expected:
            raise AuditLogCorrupted(expected, f"missing or reordered: the next record found is {r.seq}")
        if r.prev_hash != prev:
            raise AuditLogCorrupted(
                r.seq, "its link to the previous record does not match (a record before it changed)"
            )
        if record_hash(r.seq, r.at, r.request_id, r.decision, r.reason, r.summary, r.prev_hash) != r.hash:
            raise AuditLogCorrupted(r.seq, "its content does not match its hash (the record was changed)")
        prev = r.hash
        expected += 1
    return expected - 1


def verify_log(records: Iterable[AuditRecord], head: tuple[int, bytes] | None, unaudited: Sequence[str]) -> int:
    """:func:`verify_records`, then the ends: the newest record must be the head stored with every append (so
    records cut off the end are found) and every answered request must have its record. Returns the count;
    raises :class:`AuditLogCorrupted` naming the first missing or bad record."""
    last: AuditRecord | None = None

    def remember(rs: Iterable[AuditRecord]) -> Iterable[AuditRecord]:
        nonlocal last
        for r in rs:
            last = r
            yield r

    count = verify_records(remember(records))
    if head is not None:
        seq, digest = head
        if seq > count:
            raise AuditLogCorrupted(
                count + 1, f"missing: the log's head says it holds {seq} record(s), {count} remain"
            )
        if last is None or last.seq != seq or last.hash != digest:
            raise AuditLogCorrupted(seq, "it is not the head recorded with the last append")
    elif count:
        raise AuditLogCorrupted(count, "the log's head record is missing")
    if unaudited:
        raise AuditLogCorrupted(
            count + 1, f"missing: answered request(s) {', '.join(repr(u) for u in unaudited)} have no audit record"
        )
    return count
