"""API models of the treasury and sweeps."""

from __future__ import annotations

from tanglehub.hub.ledger.schemas import ApiModel

__all__ = ["SweepList", "SweepPublic", "TreasuryPublic"]


class TreasuryPublic(ApiModel):
    """``GET /v1/treasury`` (amounts in base units, decimal strings).

    ``hot``: what the hub holds on the ledger (``hotDeposits``: credited deposit outputs not swept yet,
    ``hotAddresses``: outputs on hub hot addresses); ``pendingOut``: withdrawals debited and not paid yet;
    ``free``: hot minus pending out (what the ceiling and floor compare); ``coldSent``: confirmed to the cold
    address; ``coldInFlight``: a move to cold not confirmed yet; ``liabilities``: users' balances plus pending
    out; ``ceiling`` / ``target`` / ``floor``: the configured limits (null when unset); ``belowFloor``: the
    floor alert is raised."""

    hot: str
    hot_deposits: str
    hot_addresses: str
    pending_out: str
    free: str
    cold_sent: str
    cold_in_flight: str
    users_total: str
    liabilities: str
    ceiling: str | None = None
    target: str | None = None
    floor: str | None = None
    below_floor: bool
    cold_address: str | None = None


class SweepPublic(ApiModel):
    """One sweep: the batch, its state (building, signed, submitted, confirmed, dead, refused), the deposit
    outputs it consumes, the amount and the hot address it pays, and the chain facts once known."""

    batch_id: str
    state: str
    outputs: list[str]
    amount: str
    to: str
    transaction_id: str | None = None
    block_id: str | None = None
    milestone: int | None = None
    reason: str | None = None


class SweepList(ApiModel):
    """A page of sweeps, oldest first; pass ``nextCursor`` as ``after`` for the next page."""

    items: list[SweepPublic]
    next_cursor: int | None = None
