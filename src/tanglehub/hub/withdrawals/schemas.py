"""API models of withdrawals."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from tanglehub.hub.ledger.schemas import ApiModel
from tanglehub.hub.users.schemas import USER_ID_PATTERN

__all__ = ["WithdrawalCreate", "WithdrawalList", "WithdrawalPublic"]


class WithdrawalCreate(ApiModel):
    """``POST /v1/withdrawals`` (with an ``Idempotency-Key`` header): pay ``amount`` (base units, decimal string)
    of user ``userId``'s balance to bech32 ``address``; ``tag`` and ``metadata`` are kept with the withdrawal
    (not put on the ledger). ``authorization`` (optional, "0x" + 128 hex) is the exchange's Ed25519 signature over
    :func:`tanglehub.signer.authorization.authorization_message` (user id, the address in lower case, amount,
    idempotency key); the hub passes it to the signer, whose policy may require it."""

    user_id: str = Field(min_length=1, max_length=128, pattern=USER_ID_PATTERN)
    address: str = Field(min_length=1, max_length=128)
    amount: str = Field(min_length=1, max_length=40, examples=["1000000"])
    tag: str | None = Field(default=None, max_length=256)
    metadata: dict[str, Any] | None = None
    authorization: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{128}$")


class WithdrawalPublic(ApiModel):
    """A withdrawal and where it stands. ``state``: queued, awaiting_approval, signing, submitted, confirmed,
    failed (refunded; ``reason`` and ``reasonCode`` say why) or cancelled (refunded). ``internal``: settled as
    a transfer to another user of this hub (no transaction). ``transactionId``, ``blockId`` and ``milestone``
    appear once known. Times are Unix ms."""

    id: str
    user_id: str
    address: str
    amount: str
    state: str
    internal: bool
    tag: str | None = None
    metadata: dict[str, Any] | None = None
    reason: str | None = None
    reason_code: str | None = None
    transaction_id: str | None = None
    block_id: str | None = None
    milestone: int | None = None
    created_at: int
    updated_at: int


class WithdrawalList(ApiModel):
    """A page of withdrawals, oldest first; pass ``nextCursor`` as ``after`` for the next page."""

    items: list[WithdrawalPublic]
    next_cursor: int | None = None
