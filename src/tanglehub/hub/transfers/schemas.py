"""API models of internal transfers."""

from __future__ import annotations

from pydantic import Field

from tanglehub.hub.ledger.schemas import ApiModel
from tanglehub.hub.users.schemas import USER_ID_PATTERN

__all__ = ["TransferCreate", "TransferLeg", "TransferPublic"]


class TransferLeg(ApiModel):
    """One user's part of a transfer: a signed amount in base units as a decimal string (``"-100"`` debits)."""

    user_id: str = Field(max_length=128, pattern=USER_ID_PATTERN)
    amount: str = Field(pattern=r"^-?[0-9]{1,20}$", examples=["-250", "250"])


class TransferCreate(ApiModel):
    """``POST /v1/transfers``: legs that must sum to zero, applied atomically; ``idempotencyKey`` makes a retry
    return the first result instead of applying twice (the same key with other legs is refused)."""

    idempotency_key: str = Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")
    legs: list[TransferLeg] = Field(min_length=1, max_length=1000)


class TransferPublic(ApiModel):
    """An applied transfer: its key, the legs as applied, the journal transaction id, when (Unix ms), and
    whether this request applied it (``false``: an earlier request with the same key did)."""

    idempotency_key: str
    legs: list[TransferLeg]
    journal_id: int
    created_at: int
    applied_now: bool
