"""The ``deposits`` table: every output the scanner matched to a deposit address, unique by output id."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base

__all__ = ["Deposit"]


class Deposit(Base):
    """One matched output. ``output_id`` (hex, 0x-prefixed, 34 bytes) is the primary key: a deposit is
    recorded, and so credited, at most once.

    ``deposit_class`` is what the output is (``plain``, ``storage_return``, ``timelocked``, ``uncreditable``,
    ``below_minimum``); ``status`` where it stands (``credited``, ``locked``, ``held``, ``recorded``,
    ``left_to_expire``). Amounts are base units; times Unix seconds (milestone) or ms (``credited_at``).
    """

    __tablename__ = "deposits"
    __table_args__ = (
        Index("ix_deposits_user_id", "user_id", "milestone_index"),
        Index("ix_deposits_status_unlock", "status", "unlock_at"),
        Index("ix_deposits_milestone", "milestone_index"),
    )

    output_id: Mapped[str] = mapped_column(String(70), primary_key=True)
    address_index: Mapped[int] = mapped_column(ForeignKey("deposit_addresses.address_index"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    credited_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    deposit_class: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    output_type: Mapped[int] = mapped_column(Integer)
    milestone_index: Mapped[int] = mapped_column(BigInteger)
    milestone_timestamp: Mapped[int] = mapped_column(BigInteger)
    unlock_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """Timelock's Unix time (class ``timelocked``) or the expiration time (``storage_return``)."""
    sender: Mapped[str | None] = mapped_column(String(100), nullable=True)
    tag: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_hex: Mapped[str | None] = mapped_column(Text, nullable=True)
    native_tokens: Mapped[str | None] = mapped_column(Text, nullable=True)
    """JSON list of {id, amount} when the output carries native tokens."""
    journal_tx_id: Mapped[int | None] = mapped_column(ForeignKey("journal_transactions.id"), nullable=True)
    credited_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
