"""The ``deposit_addresses`` table: the pool of pre-derived deposit addresses and their assignments."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base

__all__ = ["DepositAddress"]


class DepositAddress(Base):
    """One deposit address: BIP44 index ``address_index`` on the deposit account's public chain.

    ``user_id`` is NULL while the address waits in the pool; assignment sets it and ``assigned_at`` (Unix ms)
    once, never back. ``address_hash`` is the 32-byte Ed25519 public-key hash the scanner matches outputs by.
    """

    __tablename__ = "deposit_addresses"
    __table_args__ = (
        Index("ix_deposit_addresses_user_assigned", "user_id", "assigned_at"),
        # the pool: only unassigned rows, so taking the lowest one stays one short index read at any table size
        Index(
            "ix_deposit_addresses_unassigned",
            "address_index",
            postgresql_where=text("user_id IS NULL"),
            sqlite_where=text("user_id IS NULL"),
        ),
    )

    address_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    address_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    bech32: Mapped[str] = mapped_column(String(100), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    assigned_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
