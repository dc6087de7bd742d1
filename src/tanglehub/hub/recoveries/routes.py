"""Recovery routes (admin): ``POST /v1/recoveries``, ``GET /v1/recoveries``, ``GET /v1/recoveries/{id}``."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from tanglehub.hub.api.deps import ContextDep, SessionDep, require_scope
from tanglehub.hub.models.payout import Batch
from tanglehub.hub.models.recovery import Recovery
from tanglehub.hub.recoveries import service
from tanglehub.hub.recoveries.schemas import RecoveryCreate, RecoveryList, RecoveryPublic
from tanglehub.protocol.params import ProtocolParameters

__all__ = ["router"]

router = APIRouter(tags=["recoveries"])

_PARAMS: dict[int, ProtocolParameters] = {}


async def _params(ctx: ContextDep) -> ProtocolParameters:
    params = _PARAMS.get(id(ctx))
    if params is None:
        params = (await ctx.node.get_info()).protocol_parameters()
        _PARAMS[id(ctx)] = params
    return params


ParamsDep = Annotated[ProtocolParameters, Depends(_params)]


def to_public(session: Session, row: Recovery) -> RecoveryPublic:
    """The API view of ``row`` (with its batch's transaction id and milestone once known)."""
    batch = None if row.batch_id is None else session.get(Batch, row.batch_id)
    body = service.public(row)
    body["transactionId"] = None if batch is None else batch.transaction_id
    body["milestone"] = None if batch is None else batch.milestone
    return RecoveryPublic.model_validate(body)


@router.post(
    "/v1/recoveries",
    dependencies=[Depends(require_scope("admin"))],
    status_code=201,
    responses={200: {"description": "A recovery of this deposit is already pending or done (the same one)"}},
)
async def create_recovery(
    body: RecoveryCreate, session: SessionDep, ctx: ContextDep, params: ParamsDep, response: Response
) -> RecoveryPublic:
    """Send an uncreditable deposit back to its sender or to ``address`` (admin)."""
    output_id = body.deposit_output_id.lower()
    existing, prep = await service.prepare(session, ctx.node, ctx.settings, params, output_id, body.address)
    if existing is not None:
        response.status_code = 200
        return await asyncio.to_thread(to_public, session, existing)
    assert prep is not None
    now_s = int(ctx.clock())
    row = await asyncio.to_thread(service.create, session, ctx.settings, params, output_id, prep, now_s)
    return await asyncio.to_thread(to_public, session, row)


@router.get("/v1/recoveries", dependencies=[Depends(require_scope("admin"))])
def list_recoveries(
    session: SessionDep,
    state: str | None = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RecoveryList:
    """Recoveries, oldest first, optionally of one ``state``."""
    rows = service.list_recoveries(session, state, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return RecoveryList(
        items=[to_public(session, r) for r in rows], next_cursor=rows[-1].id if more and rows else None
    )


@router.get("/v1/recoveries/{recovery_id}", dependencies=[Depends(require_scope("admin"))])
def get_recovery(recovery_id: str, session: SessionDep) -> RecoveryPublic:
    """One recovery with its transaction id and milestone once known."""
    return to_public(session, service.get_recovery(session, recovery_id))
