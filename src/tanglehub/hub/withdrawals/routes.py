"""Withdrawal routes: ``POST /v1/withdrawals``, ``GET /v1/withdrawals``, ``GET /v1/withdrawals/{id}``,
``POST /v1/withdrawals/{id}/approve`` (admin), ``POST /v1/withdrawals/{id}/cancel``."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from tanglehub.hub.api.deps import ContextDep, SessionDep, require_scope
from tanglehub.hub.models.payout import Withdrawal
from tanglehub.hub.users.schemas import USER_ID_PATTERN
from tanglehub.hub.withdrawals import service
from tanglehub.hub.withdrawals.schemas import WithdrawalCreate, WithdrawalList, WithdrawalPublic
from tanglehub.protocol.params import RentStructure

__all__ = ["router"]

router = APIRouter(tags=["withdrawals"])

_RENT: dict[int, RentStructure] = {}


async def rent_structure(ctx: ContextDep) -> RentStructure:
    """The node's storage deposit weights (read once per hub context)."""
    rent = _RENT.get(id(ctx))
    if rent is None:
        info = await ctx.node.get_info()
        rent = info.protocol_parameters().rent_structure
        _RENT[id(ctx)] = rent
    return rent


RentDep = Annotated[RentStructure, Depends(rent_structure)]


def to_public(session: Session, row: Withdrawal) -> WithdrawalPublic:
    """The API view of ``row``."""
    return WithdrawalPublic(
        id=str(row.id),
        user_id=service.user_external_id(session, row),
        address=row.address,
        amount=str(row.amount),
        state=row.state,
        internal=row.internal,
        tag=row.tag,
        metadata=None if row.metadata_json is None else json.loads(row.metadata_json),
        reason=row.reason,
        reason_code=row.reason_code,
        transaction_id=row.transaction_id,
        block_id=row.block_id,
        milestone=row.milestone,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.post(
    "/v1/withdrawals",
    dependencies=[Depends(require_scope("withdraw"))],
    status_code=201,
    responses={200: {"description": "Already requested under this Idempotency-Key (the same withdrawal)"}},
)
def create_withdrawal(  # noqa: PLR0917 - FastAPI passes dependencies by name
    body: WithdrawalCreate,
    session: SessionDep,
    ctx: ContextDep,
    rent: RentDep,
    response: Response,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200)],
) -> WithdrawalPublic:
    """Request a withdrawal; the user is debited at once. A retry with the same key and body returns the same
    withdrawal (200); the same key with another body is 409."""
    req = service.WithdrawalRequest(
        body.user_id, body.address, body.amount, body.tag, body.metadata, body.authorization
    )
    row, created = service.request_withdrawal(
        session,
        idempotency_key,
        req,
        hrp=ctx.settings.bech32_hrp,
        rent=rent,
        approval_threshold=ctx.settings.withdrawal_approval_threshold,
    )
    if not created:
        response.status_code = 200
    return to_public(session, row)


@router.get("/v1/withdrawals", dependencies=[Depends(require_scope("read"))])
def list_withdrawals(
    session: SessionDep,
    state: str | None = None,
    user_id: Annotated[str | None, Query(alias="userId", max_length=128, pattern=USER_ID_PATTERN)] = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> WithdrawalList:
    """Withdrawals, oldest first, optionally of one ``state`` and/or one ``userId``."""
    rows, cursor = service.list_withdrawals(session, state=state, user_id=user_id, after=after, limit=limit)
    return WithdrawalList(items=[to_public(session, r) for r in rows], next_cursor=cursor)


@router.get("/v1/withdrawals/{withdrawal_id}", dependencies=[Depends(require_scope("read"))])
def get_withdrawal(withdrawal_id: str, session: SessionDep) -> WithdrawalPublic:
    """One withdrawal with its transaction id, block id and milestone once known."""
    return to_public(session, service.get_withdrawal(session, withdrawal_id))


@router.post("/v1/withdrawals/{withdrawal_id}/approve", dependencies=[Depends(require_scope("admin"))])
def approve_withdrawal(withdrawal_id: str, session: SessionDep) -> WithdrawalPublic:
    """Approve a withdrawal above the approval threshold (admin); it is queued for payment."""
    return to_public(session, service.approve(session, withdrawal_id))


@router.post("/v1/withdrawals/{withdrawal_id}/cancel", dependencies=[Depends(require_scope("withdraw"))])
def cancel_withdrawal(withdrawal_id: str, session: SessionDep) -> WithdrawalPublic:
    """Cancel a withdrawal that is not being signed yet; the user is refunded once."""
    return to_public(session, service.cancel(session, withdrawal_id))
