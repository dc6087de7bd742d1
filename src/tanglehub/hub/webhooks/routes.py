"""``/v1/webhooks``: register, list, get and delete webhooks, read their delivery log, redeliver (admin scope)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from tanglehub.hub.api.deps import SessionDep, require_scope
from tanglehub.hub.api.problem import PROBLEM_RESPONSES
from tanglehub.hub.webhooks import service
from tanglehub.hub.webhooks.schemas import (
    DeliveryPage,
    DeliveryPublic,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookPublic,
)

__all__ = ["router"]

router = APIRouter(tags=["webhooks"], dependencies=[Depends(require_scope("admin"))], responses=PROBLEM_RESPONSES)

WebhookId = Annotated[
    str, Path(alias="webhookId", pattern=r"^wh_[0-9a-f]{1,32}$", description="The webhook's id (wh_...).")
]
DeliveryId = Annotated[int, Path(alias="deliveryId", ge=1, le=2**63 - 1)]


@router.post("/v1/webhooks", status_code=201)
def create_webhook(body: WebhookCreate, session: SessionDep) -> WebhookCreated:
    """Register a receiver. Every delivery is a POST of the event's JSON with ``Tanglehub-Event-Id``,
    ``Tanglehub-Timestamp`` and ``Tanglehub-Signature: t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<body>")>``
    headers, retried with exponential backoff for at least 24 hours until a 2xx answer. The ``secret`` is
    shown only in this answer."""
    return service.create_webhook(session, body)


@router.get("/v1/webhooks")
def list_webhooks(session: SessionDep) -> WebhookList:
    """Every active webhook, oldest first."""
    return WebhookList(items=service.list_webhooks(session))


@router.get("/v1/webhooks/{webhookId}")
def get_webhook(webhook_id: WebhookId, session: SessionDep) -> WebhookPublic:
    """One webhook (404 if unknown or deleted)."""
    return service.get_webhook(session, webhook_id)


@router.delete("/v1/webhooks/{webhookId}", status_code=204)
def delete_webhook(webhook_id: WebhookId, session: SessionDep) -> Response:
    """Stop delivering to a webhook; its delivery log stays readable."""
    service.delete_webhook(session, webhook_id)
    return Response(status_code=204)


@router.get("/v1/webhooks/{webhookId}/deliveries")
def list_deliveries(
    webhook_id: WebhookId,
    session: SessionDep,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="Deliveries older than this id.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    status: Annotated[Literal["pending", "succeeded", "failed"] | None, Query()] = None,
) -> DeliveryPage:
    """The webhook's delivery log, newest first: status, attempts, last HTTP status and error of each."""
    return service.list_deliveries(session, webhook_id, before, limit, status)


@router.post("/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", status_code=202)
def redeliver(
    webhook_id: WebhookId,
    delivery_id: DeliveryId,
    session: SessionDep,
) -> DeliveryPublic:
    """Send a delivery again now (whatever its status), with a fresh retry window."""
    return service.redeliver(session, webhook_id, delivery_id)
