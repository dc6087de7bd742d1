"""API models of the deposits domain."""

from __future__ import annotations

from typing import Literal

from tanglehub.hub.ledger.schemas import ApiModel

__all__ = ["DepositClass", "DepositPage", "DepositPublic", "DepositStatus", "NativeTokenAmount"]

DepositClass = Literal["plain", "storage_return", "timelocked", "uncreditable", "below_minimum"]
DepositStatus = Literal["credited", "locked", "held", "recorded", "left_to_expire", "awaiting_claim"]


class NativeTokenAmount(ApiModel):
    """A native token an uncreditable output carries: token id (hex) and amount (decimal string)."""

    id: str
    amount: str


class DepositPublic(ApiModel):
    """A deposit: the output, its class and status, amounts (base units, decimal strings), the confirming
    milestone and its time (Unix s), the timelock/expiration time, and the output's sender/tag/metadata."""

    output_id: str
    user_id: str | None
    address: str
    amount: str
    credited_amount: str
    deposit_class: str
    status: str
    reason: str | None
    output_type: int
    milestone_index: int
    milestone_timestamp: int
    unlock_at: int | None
    sender: str | None
    tag: str | None
    metadata: str | None
    native_tokens: list[NativeTokenAmount]
    credited_at: int | None


class DepositPage(ApiModel):
    """A page of deposits in confirmation order; pass ``nextCursor`` as ``cursor`` for the next page."""

    items: list[DepositPublic]
    next_cursor: str | None
