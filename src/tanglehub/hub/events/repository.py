"""The event log's queries: append an event in the caller's transaction, page the log, read its end.

Sequence numbers are assigned as ``last + 1`` while the caller holds the write guard
(:func:`tanglehub.hub.db.lock_writes`), so ``seq`` order is commit order on SQLite and PostgreSQL alike and
a reader that saw ``seq = n`` never later sees a new event with a smaller number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.models.event import Event

__all__ = ["EventRow", "append_event", "last_seq", "list_events"]

_SEQ = "tanglehub.event_seq"
"""``session.info`` key: the last seq this transaction appended (cleared when the transaction ends)."""


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event as read back: ``seq``, dotted ``kind``, ``data`` (decoded JSON object), ``created_at``
    (Unix ms)."""

    seq: int
    kind: str
    data: dict[str, object]
    created_at: int


def append_event(session: Session, kind: str, data: Mapping[str, object]) -> int:
    """Append one event in the caller's transaction (committed or rolled back with it); returns its ``seq``.

    ``data`` must be JSON-serializable (amounts as decimal strings). Takes the write guard if the caller has
    not yet (it is re-entrant within a transaction).
    """
    lock_writes(session)
    known = session.info.get(_SEQ)
    seq = (last_seq(session) if known is None else int(known)) + 1
    session.info[_SEQ] = seq
    session.connection().execute(
        insert(Event).values(seq=seq, kind=kind, data=json.dumps(dict(data), sort_keys=True), created_at=now_ms())
    )
    return seq


def last_seq(session: Session) -> int:
    """The newest event's ``seq`` (0 when the log is empty)."""
    return int(session.scalar(select(func.coalesce(func.max(Event.seq), 0))) or 0)


def list_events(session: Session, after: int, limit: int, kinds: Sequence[str] | None = None) -> list[EventRow]:
    """Up to ``limit`` events with ``seq > after`` in ``seq`` order, only of ``kinds`` when given."""
    query = select(Event).where(Event.seq > after)
    if kinds:
        query = query.where(Event.kind.in_(list(kinds)))
    rows = session.scalars(query.order_by(Event.seq).limit(limit))
    return [EventRow(r.seq, r.kind, json.loads(r.data), r.created_at) for r in rows]
