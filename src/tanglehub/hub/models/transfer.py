"""The ``transfers`` table: one row per applied internal transfer batch, keyed by its idempotency key."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base

__all__ = ["Transfer"]


class Transfer(Base):
    """An applied transfer. ``request_hash`` (SHA-256 of the canonical legs) tells a retry of the same request
    (answered with this row) from a different request reusing the key (refused)."""

    __tablename__ = "transfers"

    idempotency_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    legs: Mapped[str] = mapped_column(Text)
    """JSON list of [userId, amount] pairs as applied."""
    journal_tx_id: Mapped[int] = mapped_column(ForeignKey("journal_transactions.id"))
    created_at: Mapped[int] = mapped_column(BigInteger)
