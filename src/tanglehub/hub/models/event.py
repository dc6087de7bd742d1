"""The ``events`` table: the append-only event log every state change writes to in its own transaction."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base

__all__ = ["Event"]


class Event(Base):
    """One event: ``seq`` is strictly increasing in commit order (assigned under the write guard), ``kind``
    a dotted name (``deposit.credited``), ``data`` a JSON object, ``created_at`` Unix ms."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_seq", "kind", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger)
