"""Part 2 tables: the hub-owned UTXO set, hot addresses, withdrawals and on-chain batches.

* ``hub_outputs``: every output the hub may spend (credited deposits, hot-address outputs), with where it
  stands (``unspent`` -> ``reserved`` by one batch -> ``spent``), the key chain that unlocks it and its origin.
* ``hot_addresses``: the hub's own addresses on ``settings.hot_account`` (remainders, sweeps, funding).
* ``batches``: one on-chain transaction of the payouts pipeline (kind ``withdrawals``, ``sweep``, ``treasury``,
  ``recovery``): the signing request stored before it is sent, the signed payload stored before it is
  submitted, the block and milestone once known. States ``building`` -> ``signed`` -> ``submitted`` ->
  ``confirmed`` | ``dead`` (an input was consumed by another transaction) | ``refused`` (the signer said no).
* ``withdrawals``: one user request, ``queued`` / ``awaiting_approval`` -> ``signing`` -> ``submitted`` ->
  ``confirmed`` | ``failed`` | ``cancelled``; belongs to at most one live batch at a time.

Amounts are base units, times Unix milliseconds unless named ``milestone``.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base
from tanglehub.hub.models.types import BigIntPK

__all__ = ["Batch", "HotAddress", "HubOutput", "Withdrawal"]


class HotAddress(Base):
    """One hot address: index ``address_index`` on the hot account's public chain (change 0)."""

    __tablename__ = "hot_addresses"

    address_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    address_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    bech32: Mapped[str] = mapped_column(String(100), unique=True)


class Batch(Base):
    """One transaction of the payouts pipeline (see the module docstring)."""

    __tablename__ = "batches"
    __table_args__ = (Index("ix_batches_state", "state", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    request: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The signing request (JSON) exactly as sent; a retry re-sends it byte for byte."""
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    """The signed transaction payload (bytes), stored before the first submission."""
    transaction_id: Mapped[str | None] = mapped_column(String(66), nullable=True, index=True)
    block_id: Mapped[str | None] = mapped_column(String(66), nullable=True)
    milestone: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    """Blocks posted for this payload (the first submission and every reissue)."""
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    justification: Mapped[str | None] = mapped_column(Text, nullable=True)
    """JSON the caller attached (sweeps, treasury moves, recoveries): handed back to its confirm hook."""
    submitted_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class HubOutput(Base):
    """One output the hub can spend; ``output_id`` is 0x + 68 hex digits."""

    __tablename__ = "hub_outputs"
    __table_args__ = (Index("ix_hub_outputs_state_amount", "state", "amount"),)

    output_id: Mapped[str] = mapped_column(String(70), primary_key=True)
    output: Mapped[bytes] = mapped_column(LargeBinary)
    amount: Mapped[int] = mapped_column(BigInteger)
    address_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    account: Mapped[int] = mapped_column(Integer)
    change: Mapped[int] = mapped_column(Integer)
    address_index: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16))
    """``deposit`` (a credited deposit), ``hot`` (made by a hub batch) or ``funding`` (paid to a hot address
    from outside: the operator topping the hot wallet up)."""
    state: Mapped[str] = mapped_column(String(16))
    reserved_by: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), nullable=True, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), nullable=True)
    created_milestone: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    spent_milestone: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class Withdrawal(Base):
    """One withdrawal request (see the module docstring); ``idempotency_key`` is unique."""

    __tablename__ = "withdrawals"
    __table_args__ = (
        Index("ix_withdrawals_state", "state", "id"),
        Index("ix_withdrawals_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(BigInteger)
    tag: Mapped[str | None] = mapped_column(Text, nullable=True)
    metadata_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    authorization: Mapped[str | None] = mapped_column(String(130), nullable=True)
    """The exchange's authorization ("0x" + 64-byte Ed25519 signature, lower-case hex), passed to the signer."""
    state: Mapped[str] = mapped_column(String(24))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    """True when paid to one of the hub's own deposit addresses: settled as a transfer, no transaction."""
    solo: Mapped[bool] = mapped_column(Boolean, default=False)
    """True after a batch carrying it was refused by the signer: it is retried alone, so a refusal names it."""
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), nullable=True, index=True)
    transaction_id: Mapped[str | None] = mapped_column(String(66), nullable=True)
    block_id: Mapped[str | None] = mapped_column(String(66), nullable=True)
    milestone: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
