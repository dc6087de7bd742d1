"""API models of the webhooks domain (the signing secret appears only in :class:`WebhookCreated`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tanglehub.hub.ledger.schemas import ApiModel

__all__ = [
    "EVENT_TYPE_PATTERN",
    "DeliveryPage",
    "DeliveryPublic",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookList",
    "WebhookPublic",
]

EVENT_TYPE_PATTERN = r"^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$"
"""An event kind (``deposit.credited``), a prefix wildcard (``deposit.*``) or ``*`` for every event."""

DeliveryStatus = Literal["pending", "succeeded", "failed"]


class WebhookCreate(ApiModel):
    """``POST /v1/webhooks``: where to deliver, which events, and optionally the signing secret (one is
    generated when omitted). ``after``: deliver events with a larger seq (default: only events from now on)."""

    url: str = Field(
        min_length=8, max_length=2000, pattern=r"^https?://[\x21-\x7e]+$", examples=["https://x.example/hook"]
    )
    event_types: list[str] = Field(default_factory=lambda: ["*"], min_length=1, max_length=100)
    secret: str | None = Field(default=None, min_length=16, max_length=200, pattern=r"^[\x21-\x7e]+$")
    description: str = Field(default="", max_length=500, pattern=r"^[^\x00-\x1f\x7f]*$")
    after: int | None = Field(default=None, ge=0, le=2**63 - 1)


class WebhookPublic(ApiModel):
    """A registered webhook (without its secret); ``cursor`` is the last event seq it has been given."""

    id: str
    url: str
    event_types: list[str]
    description: str
    cursor: int
    created_at: int


class WebhookCreated(WebhookPublic):
    """The answer to ``POST /v1/webhooks``: the webhook plus its signing ``secret`` (shown only here)."""

    secret: str


class WebhookList(ApiModel):
    """Every active webhook, oldest first."""

    items: list[WebhookPublic]


class DeliveryPublic(ApiModel):
    """One event's delivery to one webhook: status, attempts so far and the last outcome (times Unix ms)."""

    id: int
    webhook_id: str
    event_seq: int
    event_kind: str
    status: DeliveryStatus
    attempts: int
    created_at: int
    next_attempt_at: int | None
    last_attempt_at: int | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: int | None


class DeliveryPage(ApiModel):
    """Deliveries newest first; pass ``nextCursor`` as ``before`` for older ones (null at the end)."""

    items: list[DeliveryPublic]
    next_cursor: int | None
