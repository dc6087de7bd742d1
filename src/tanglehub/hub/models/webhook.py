"""The ``webhooks`` and ``webhook_deliveries`` tables: subscriptions and their delivery log.

Each webhook carries its own cursor into the event log (``cursor_seq``): the worker turns the events after it
into delivery rows and advances it in the same transaction, so a crash neither loses nor doubles a delivery
row. A delivery row is then retried until the receiver answers 2xx or the retry window runs out. Times are
Unix milliseconds.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tanglehub.hub.models.base import Base
from tanglehub.hub.models.types import BigIntPK

__all__ = ["DELIVERY_STATUSES", "Webhook", "WebhookDelivery"]

DELIVERY_STATUSES = ("pending", "succeeded", "failed")
"""``pending``: due at ``next_attempt_at``; ``succeeded``: a 2xx came back; ``failed``: the window ran out."""


class Webhook(Base):
    """A registered receiver: URL, signing secret and the event kinds it wants (``*`` for all)."""

    __tablename__ = "webhooks"

    webhook_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    """The HMAC-SHA256 signing secret shared with the receiver (returned only when the webhook is created)."""
    event_types: Mapped[str] = mapped_column(Text)
    """Space-separated event kinds, or ``*``."""
    description: Mapped[str] = mapped_column(String(500), default="")
    cursor_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    """The last event sequence number already turned into delivery rows (or skipped as not wanted)."""
    created_at: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger, default=None)


class WebhookDelivery(Base):
    """One event to deliver to one webhook, with its attempt count, schedule and last outcome."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_seq", name="uq_webhook_deliveries_webhook_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    delivery_id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.webhook_id"), index=True)
    event_seq: Mapped[int] = mapped_column(BigInteger)
    event_kind: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[int] = mapped_column(BigInteger)
    """When the delivery row was made (start of the retry window; reset by a manual redelivery)."""
    next_attempt_at: Mapped[int | None] = mapped_column(BigInteger)
    last_attempt_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    delivered_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
