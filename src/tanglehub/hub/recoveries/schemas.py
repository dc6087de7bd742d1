"""API models of recoveries."""

from __future__ import annotations

from pydantic import Field

from tanglehub.hub.ledger.schemas import ApiModel

__all__ = ["NativeTokenAmount", "RecoveryCreate", "RecoveryList", "RecoveryPublic"]


class RecoveryCreate(ApiModel):
    """``POST /v1/recoveries``: send deposit ``depositOutputId`` (one the hub could not credit) back. Without
    ``address`` it goes to its storage deposit return address, else its sender feature, else the owner of the
    first input of the transaction that made it."""

    deposit_output_id: str = Field(min_length=70, max_length=70, pattern="^0x[0-9a-fA-F]{68}$")
    address: str | None = Field(default=None, min_length=1, max_length=128)


class NativeTokenAmount(ApiModel):
    """A native token (id, 0x hex) and its amount (decimal string)."""

    id: str
    amount: str


class RecoveryPublic(ApiModel):
    """A recovery: the deposit, the destination and how it was chosen (``request``, ``return``, ``sender``,
    ``input``), the base tokens it carries (``amount``; ``returnAmount`` goes to the storage deposit return
    address in its own output; ``topup`` is storage deposit the hub added), the native tokens or NFT it
    carries, and its ``state`` (pending, confirmed, failed with ``reason`` / ``reasonCode``)."""

    recovery_id: str
    deposit_output_id: str
    address: str
    address_source: str
    amount: str
    return_amount: str
    topup: str
    native_tokens: list[NativeTokenAmount]
    nft_id: str | None = None
    state: str
    reason: str | None = None
    reason_code: str | None = None
    batch_id: str | None = None
    transaction_id: str | None = None
    milestone: int | None = None


class RecoveryList(ApiModel):
    """A page of recoveries, oldest first; pass ``nextCursor`` as ``after`` for the next page."""

    items: list[RecoveryPublic]
    next_cursor: int | None = None
