"""API models of the addresses domain."""

from __future__ import annotations

from tanglehub.hub.ledger.schemas import ApiModel

__all__ = ["AddressList", "AddressPublic"]


class AddressPublic(ApiModel):
    """A deposit address: bech32 text, its BIP44 index on the deposit account, the user it belongs to (null
    while unassigned), when it was assigned (Unix ms) and whether it is the user's current one."""

    address: str
    index: int
    user_id: str | None
    assigned_at: int | None
    current: bool


class AddressList(ApiModel):
    """A user's deposit addresses, newest (current) first."""

    items: list[AddressPublic]
