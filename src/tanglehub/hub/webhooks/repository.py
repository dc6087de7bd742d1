"""Every query of the webhooks domain: subscriptions, their cursors, the delivery rows and the backlog."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tanglehub.hub.events.repository import EventRow, last_seq, list_events
from tanglehub.hub.models.webhook import Webhook, WebhookDelivery

__all__ = [
    "active_webhooks",
    "count_backlog",
    "deliveries_page",
    "due_deliveries",
    "get_delivery",
    "get_event",
    "get_webhook",
    "insert_deliveries",
    "min_active_cursor",
    "reset_for_redelivery",
]


def get_webhook(session: Session, webhook_id: str, *, include_deleted: bool = False) -> Webhook | None:
    """The webhook with this id (None if absent or deleted, unless ``include_deleted``)."""
    row = session.get(Webhook, webhook_id)
    if row is None or (row.deleted_at is not None and not include_deleted):
        return None
    return row


def active_webhooks(session: Session) -> list[Webhook]:
    """Every webhook not deleted, oldest first."""
    query = select(Webhook).where(Webhook.deleted_at.is_(None)).order_by(Webhook.created_at, Webhook.webhook_id)
    return list(session.scalars(query))


def min_active_cursor(session: Session) -> int | None:
    """The smallest ``cursor_seq`` over the active webhooks (None when there are none)."""
    value = session.scalar(select(func.min(Webhook.cursor_seq)).where(Webhook.deleted_at.is_(None)))
    return None if value is None else int(value)


def insert_deliveries(session: Session, webhook_id: str, events: Sequence[EventRow], now: int) -> int:
    """Add one pending delivery row per event (due at once); return how many were added."""
    for event in events:
        session.add(
            WebhookDelivery(
                webhook_id=webhook_id,
                event_seq=event.seq,
                event_kind=event.kind,
                status="pending",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
    return len(events)


def due_deliveries(session: Session, now: int, limit: int) -> list[tuple[WebhookDelivery, Webhook]]:
    """Pending deliveries of active webhooks whose next attempt is due, oldest first."""
    query = (
        select(WebhookDelivery, Webhook)
        .join(Webhook, Webhook.webhook_id == WebhookDelivery.webhook_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            Webhook.deleted_at.is_(None),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.delivery_id)
        .limit(limit)
    )
    return [(d, w) for d, w in session.execute(query)]


def get_delivery(session: Session, webhook_id: str, delivery_id: int) -> WebhookDelivery | None:
    """The delivery ``delivery_id`` of webhook ``webhook_id`` (None if it belongs to another)."""
    row = session.get(WebhookDelivery, delivery_id)
    return row if row is not None and row.webhook_id == webhook_id else None


def deliveries_page(
    session: Session, webhook_id: str, before: int | None, limit: int, status: str | None
) -> list[WebhookDelivery]:
    """A webhook's deliveries, newest first, with ``delivery_id < before`` when given."""
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if before is not None:
        query = query.where(WebhookDelivery.delivery_id < before)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return list(session.scalars(query.order_by(WebhookDelivery.delivery_id.desc()).limit(limit)))


def get_event(session: Session, seq: int) -> EventRow | None:
    """The event with this ``seq`` (None if absent)."""
    rows = list_events(session, seq - 1, 1)
    return rows[0] if rows and rows[0].seq == seq else None


def count_backlog(session: Session) -> int:
    """Deliveries not yet done: pending rows plus events an active webhook's cursor has not examined yet."""
    pending = session.scalar(
        select(func.count())
        .select_from(WebhookDelivery)
        .join(Webhook, Webhook.webhook_id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status == "pending", Webhook.deleted_at.is_(None))
    )
    top = last_seq(session)
    behind = session.scalar(
        select(func.coalesce(func.sum(top - Webhook.cursor_seq), 0)).where(Webhook.deleted_at.is_(None))
    )
    return int(pending or 0) + int(behind or 0)


def reset_for_redelivery(session: Session, delivery: WebhookDelivery, now: int) -> None:
    """Make ``delivery`` pending and due now, with a fresh retry window."""
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.delivery_id == delivery.delivery_id)
        .values(status="pending", next_attempt_at=now, created_at=now)
    )
