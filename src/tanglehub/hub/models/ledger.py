"""The double-entry ledger: ``journal_transactions``, their ``journal_lines``, and cached ``ledger_accounts``.

Each journal transaction's lines sum to zero over accounts. ``ledger_accounts.available`` caches the sum of an
account's lines and is updated in the same database transaction as the lines; for user accounts the database
refuses a negative value (CHECK constraint), so no code path can overdraw a user.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base
from tanglehub.hub.models.types import BigIntPK

__all__ = ["JournalLine", "JournalTransaction", "LedgerAccount"]


class JournalTransaction(Base):
    """One balanced change of the books. ``reference`` is unique (``deposit:<outputId>``,
    ``transfer:<idempotencyKey>``): the same business fact can never be booked twice."""

    __tablename__ = "journal_transactions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class JournalLine(Base):
    """One signed amount (base units) booked to one account by one journal transaction."""

    __tablename__ = "journal_lines"
    __table_args__ = (Index("ix_journal_lines_account", "account", "journal_tx_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    journal_tx_id: Mapped[int] = mapped_column(ForeignKey("journal_transactions.id"), index=True)
    account: Mapped[str] = mapped_column(ForeignKey("ledger_accounts.account"))
    amount: Mapped[int] = mapped_column(BigInteger)


class LedgerAccount(Base):
    """An account of the books: ``user:<id>`` (kind ``user``) or a hub account such as ``hub:deposits``.

    ``available`` is the cached sum of the account's journal lines; user accounts can never go below zero.
    """

    __tablename__ = "ledger_accounts"
    __table_args__ = (CheckConstraint("kind <> 'user' OR available >= 0", name="user_available_non_negative"),)

    account: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, unique=True)
    available: Mapped[int] = mapped_column(BigInteger, default=0)
