"""API models of the users domain."""

from __future__ import annotations

from pydantic import Field

from tanglehub.hub.ledger.schemas import ApiModel

__all__ = ["USER_ID_PATTERN", "UserCreate", "UserPage", "UserPublic"]

USER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
"""The exchange's user ids: 1-128 characters, letters, digits and ``. _ : @ -``, starting alphanumeric."""


class UserCreate(ApiModel):
    """``POST /v1/users``: the exchange's own unique id for the user (creating it again returns the same user)."""

    user_id: str = Field(pattern=USER_ID_PATTERN, examples=["customer-42"])


class UserPublic(ApiModel):
    """A user: the exchange's id, when it was created (Unix ms) and its current deposit address (if any)."""

    user_id: str
    created_at: int
    deposit_address: str | None = None


class UserPage(ApiModel):
    """A page of users, oldest first; pass ``nextCursor`` as ``cursor`` for the next page (null at the end)."""

    items: list[UserPublic]
    next_cursor: str | None
