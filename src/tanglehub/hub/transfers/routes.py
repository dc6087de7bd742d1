"""``POST /v1/transfers``: internal transfers (trades) between users."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from tanglehub.hub.api.deps import SessionDep, require_scope
from tanglehub.hub.transfers import service
from tanglehub.hub.transfers.schemas import TransferCreate, TransferLeg, TransferPublic

__all__ = ["router"]

router = APIRouter(tags=["transfers"])


@router.post(
    "/v1/transfers",
    dependencies=[Depends(require_scope("transfer"))],
    status_code=201,
    responses={200: {"description": "Already applied under this idempotency key (the first result)"}},
)
def create_transfer(body: TransferCreate, session: SessionDep, response: Response) -> TransferPublic:
    """Apply legs summing to zero atomically; a retry with the same key returns the first result (200)."""
    legs = [(leg.user_id, int(leg.amount)) for leg in body.legs]
    applied = service.apply_transfer(session, body.idempotency_key, legs)
    if not applied.applied_now:
        response.status_code = 200
    return TransferPublic(
        idempotency_key=applied.idempotency_key,
        legs=[TransferLeg(user_id=u, amount=str(a)) for u, a in applied.legs],
        journal_id=applied.journal_id,
        created_at=applied.created_at,
        applied_now=applied.applied_now,
    )
