"""The webhooks domain's rules: registering and deleting webhooks, the delivery log, redelivery, fan-out of
the event log into delivery rows and the retry schedule.

Retry schedule: attempt ``n`` (1-based) that fails is retried after ``min(base * 2**(n-1), max)`` seconds
(``webhook_retry_base``, ``webhook_retry_max``); a delivery whose retry window (``webhook_max_age``, at least
24 hours, counted from the row's creation or its last manual redelivery) has run out is marked ``failed``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tanglehub.errors import HubError
from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.events.repository import last_seq, list_events
from tanglehub.hub.models.webhook import Webhook, WebhookDelivery
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.webhooks import repository as repo
from tanglehub.hub.webhooks.schemas import (
    EVENT_TYPE_PATTERN,
    DeliveryPage,
    DeliveryPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
)

__all__ = [
    "FANOUT_BATCH",
    "AttemptOutcome",
    "DeliveryNotFound",
    "InvalidWebhook",
    "WebhookNotFound",
    "create_webhook",
    "delete_webhook",
    "delivery_public",
    "fan_out",
    "get_webhook",
    "list_deliveries",
    "list_webhooks",
    "matches",
    "record_attempt",
    "redeliver",
    "retry_delay",
    "webhook_public",
]

FANOUT_BATCH = 500
"""Events examined per webhook per fan-out transaction."""


class WebhookNotFound(HubError):
    """No active webhook has this id (404)."""

    code = "HUB_WEBHOOK_NOT_FOUND"
    http_status = 404


class DeliveryNotFound(HubError):
    """The webhook has no delivery with this id (404)."""

    code = "HUB_WEBHOOK_DELIVERY_NOT_FOUND"
    http_status = 404


class InvalidWebhook(HubError):
    """A webhook registration is not usable: an event type pattern that is not valid (422)."""

    code = "HUB_WEBHOOK_INVALID"
    http_status = 422


def matches(event_types: str, kind: str) -> bool:
    """True if ``kind`` is wanted by a space-separated list of kinds, ``prefix.*`` wildcards or ``*``."""
    for pattern in event_types.split():
        if pattern in ("*", kind):
            return True
        if pattern.endswith(".*") and kind.startswith(pattern[:-1]):
            return True
    return False


def webhook_public(row: Webhook) -> WebhookPublic:
    """The API view of a webhook (no secret)."""
    return WebhookPublic(
        id=row.webhook_id,
        url=row.url,
        event_types=row.event_types.split(),
        description=row.description,
        cursor=row.cursor_seq,
        created_at=row.created_at,
    )


def delivery_public(row: WebhookDelivery) -> DeliveryPublic:
    """The API view of a delivery row."""
    return DeliveryPublic(
        id=row.delivery_id,
        webhook_id=row.webhook_id,
        event_seq=row.event_seq,
        event_kind=row.event_kind,
        status=row.status,  # type: ignore[arg-type]
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
    )


def create_webhook(session: Session, body: WebhookCreate) -> WebhookCreated:
    """Register a webhook and commit; events after ``body.after`` (default: the log's end now) are delivered.

    Raises:
        InvalidWebhook: an event type that is neither a kind, a ``prefix.*`` wildcard nor ``*``.
    """
    types = sorted({t.strip() for t in body.event_types})
    bad = [t for t in types if not re.fullmatch(EVENT_TYPE_PATTERN, t)]
    if bad:
        shown = bad[0][:60]
        raise InvalidWebhook(f"event type {shown!r} is not a kind like 'deposit.credited', 'deposit.*' or '*'")
    lock_writes(session)
    secret = body.secret or "whsec_" + secrets.token_urlsafe(32)
    row = Webhook(
        webhook_id="wh_" + secrets.token_hex(8),
        url=body.url,
        secret=secret,
        event_types=" ".join(types),
        description=body.description,
        cursor_seq=last_seq(session) if body.after is None else body.after,
        created_at=now_ms(),
    )
    session.add(row)
    session.commit()
    return WebhookCreated(**webhook_public(row).model_dump(), secret=secret)


def list_webhooks(session: Session) -> list[WebhookPublic]:
    """Every active webhook, oldest first."""
    return [webhook_public(row) for row in repo.active_webhooks(session)]


def get_webhook(session: Session, webhook_id: str) -> WebhookPublic:
    """One active webhook.

    Raises:
        WebhookNotFound: no active webhook has this id.
    """
    row = repo.get_webhook(session, webhook_id)
    if row is None:
        raise WebhookNotFound(f"no webhook with id {webhook_id[:60]!r}")
    return webhook_public(row)


def delete_webhook(session: Session, webhook_id: str) -> None:
    """Stop delivering to a webhook and commit (its delivery log is kept).

    Raises:
        WebhookNotFound: no active webhook has this id.
    """
    lock_writes(session)
    row = repo.get_webhook(session, webhook_id)
    if row is None:
        raise WebhookNotFound(f"no webhook with id {webhook_id[:60]!r}")
    row.deleted_at = now_ms()
    session.commit()


def list_deliveries(
    session: Session, webhook_id: str, before: int | None, limit: int, status: str | None
) -> DeliveryPage:
    """A page of a webhook's delivery log, newest first.

    Raises:
        WebhookNotFound: no webhook (active or deleted) has this id.
    """
    if repo.get_webhook(session, webhook_id, include_deleted=True) is None:
        raise WebhookNotFound(f"no webhook with id {webhook_id[:60]!r}")
    rows = repo.deliveries_page(session, webhook_id, before, limit, status)
    next_cursor = rows[-1].delivery_id if len(rows) == limit else None
    return DeliveryPage(items=[delivery_public(r) for r in rows], next_cursor=next_cursor)


def redeliver(session: Session, webhook_id: str, delivery_id: int) -> DeliveryPublic:
    """Queue a delivery again at once, whatever its status, with a fresh retry window; commit.

    Raises:
        WebhookNotFound: no active webhook has this id.
        DeliveryNotFound: the webhook has no such delivery.
    """
    lock_writes(session)
    if repo.get_webhook(session, webhook_id) is None:
        raise WebhookNotFound(f"no webhook with id {webhook_id[:60]!r}")
    row = repo.get_delivery(session, webhook_id, delivery_id)
    if row is None:
        raise DeliveryNotFound(f"webhook {webhook_id[:60]!r} has no delivery {delivery_id}")
    repo.reset_for_redelivery(session, row, now_ms())
    session.commit()
    session.refresh(row)
    return delivery_public(row)


def fan_out(session: Session, now: int | None = None) -> int:
    """Turn new events into delivery rows for every active webhook, advancing each cursor in the same
    transaction (commits); return the number of rows added. Cheap when nothing is new (no write)."""
    low = repo.min_active_cursor(session)
    if low is None or last_seq(session) <= low:
        session.rollback()
        return 0
    lock_writes(session)
    stamp = now_ms() if now is None else now
    added = 0
    for hook in repo.active_webhooks(session):
        events = list_events(session, hook.cursor_seq, FANOUT_BATCH)
        if not events:
            continue
        wanted = [e for e in events if matches(hook.event_types, e.kind)]
        added += repo.insert_deliveries(session, hook.webhook_id, wanted, stamp)
        hook.cursor_seq = events[-1].seq
    session.commit()
    return added


def retry_delay(settings: HubSettings, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (exponential, capped at webhook_retry_max)."""
    exponent = min(max(attempts - 1, 0), 62)
    return float(min(settings.webhook_retry_base * (2.0**exponent), settings.webhook_retry_max))


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What one HTTP attempt produced: the status code (None if no response) and an error summary."""

    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return self.status_code is not None and 200 <= self.status_code < 300


def record_attempt(
    session: Session, settings: HubSettings, delivery_id: int, outcome: AttemptOutcome, now: int | None = None
) -> str:
    """Book one attempt's outcome on its delivery row and commit; return the row's new status.

    A 2xx marks it ``succeeded``; otherwise the next attempt is scheduled per :func:`retry_delay`, or the row
    becomes ``failed`` when that would fall outside the retry window.
    """
    stamp = now_ms() if now is None else now
    lock_writes(session)
    row = session.get(WebhookDelivery, delivery_id)
    if row is None:  # pragma: no cover - rows are never deleted
        session.rollback()
        return "missing"
    row.attempts += 1
    row.last_attempt_at = stamp
    row.last_status_code = outcome.status_code
    row.last_error = outcome.error[:500] if outcome.error else None
    if outcome.ok:
        row.status = "succeeded"
        row.delivered_at = stamp
        row.next_attempt_at = None
    else:
        next_at = stamp + int(retry_delay(settings, row.attempts) * 1000)
        if next_at - row.created_at > int(settings.webhook_max_age * 1000):
            row.status = "failed"
            row.next_attempt_at = None
        else:
            row.next_attempt_at = next_at
    status = row.status
    session.commit()
    return status
