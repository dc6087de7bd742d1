"""The ``recoveries`` table: uncreditable deposits sent back to their sender or to an operator address.

One row per deposit output (``deposit_output_id`` is unique): ``pending`` while its batch (kind ``recovery``)
is in flight, then ``confirmed`` or ``failed`` (the signer refused, or the deposit output was consumed by
another transaction); a failed recovery may be requested again, which reuses the row. Amounts are base units;
times Unix milliseconds.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base
from tanglehub.hub.models.types import BigIntPK

__all__ = ["Recovery"]


class Recovery(Base):
    """One recovery of an uncreditable deposit (see the module docstring)."""

    __tablename__ = "recoveries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    deposit_output_id: Mapped[str] = mapped_column(ForeignKey("deposits.output_id"), unique=True)
    address: Mapped[str] = mapped_column(String(100))
    """Where the deposit goes (bech32): its sender, or the operator address given in the request."""
    address_source: Mapped[str] = mapped_column(String(16))
    """``request`` (given by the operator), ``return`` (storage deposit return address), ``sender`` (sender
    feature) or ``input`` (the owner of the first input of the transaction that made the deposit)."""
    amount: Mapped[int] = mapped_column(BigInteger)
    """Base tokens the recovered output carries to ``address`` (the deposit's amount minus any storage deposit
    return, plus any storage deposit the hub adds from hot funds)."""
    return_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    """Storage deposit returned to the deposit's return address (its own output)."""
    topup: Mapped[int] = mapped_column(BigInteger, default=0)
    """Base tokens the hub added from hot funds so the recovered output covers its storage deposit."""
    native_tokens: Mapped[str | None] = mapped_column(Text, nullable=True)
    nft_id: Mapped[str | None] = mapped_column(String(66), nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
