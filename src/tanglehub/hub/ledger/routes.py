"""Ledger routes: a user's balance and history, hub stats, and reconciliation against the node."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tanglehub.hub.api.deps import ContextDep, SessionDep, require_scope
from tanglehub.hub.ledger import service
from tanglehub.hub.ledger.reconcile import reconcile
from tanglehub.hub.ledger.schemas import BalancePublic, HistoryItem, HistoryPage, ReconciliationReport, StatsPublic
from tanglehub.hub.users.routes import UserIdPath
from tanglehub.hub.users.service import get_user

__all__ = ["router"]

router = APIRouter(tags=["ledger"])


@router.get("/v1/users/{userId}/balance", dependencies=[Depends(require_scope("read"))])
async def get_balance(user_id: UserIdPath, ctx: ContextDep) -> BalancePublic:
    """The user's available balance and the amount in timelocked deposits not yet credited (base units)."""
    available, locked = await service.read_balance_of_user(ctx.reader, user_id)
    return BalancePublic(user_id=user_id, available=str(available), locked=str(locked))


@router.get("/v1/users/{userId}/history", dependencies=[Depends(require_scope("read"))])
def get_history(
    user_id: UserIdPath,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> HistoryPage:
    """The user's credited deposits and transfers, oldest first; follow ``nextCursor`` with ``after``."""
    user = get_user(session, user_id)
    lines, next_cursor = service.history(session, user, after, limit)
    items = [
        HistoryItem(
            id=line.journal_tx_id,
            kind=line.kind,
            reference=line.reference.partition(":")[2],
            amount=str(line.amount),
            created_at=line.created_at,
        )
        for line in lines
    ]
    return HistoryPage(items=items, next_cursor=next_cursor)


@router.get("/v1/stats", dependencies=[Depends(require_scope("read"))])
def get_stats(session: SessionDep) -> StatsPublic:
    """Counts of users, addresses and deposits by class, totals, the scanner's cursor, the last event."""
    return service.stats(session)


@router.get("/v1/reconciliation", dependencies=[Depends(require_scope("admin"))])
async def get_reconciliation(session: SessionDep, ctx: ContextDep) -> ReconciliationReport:
    """The books against themselves and against the node's ledger on the hub's addresses; ``ok`` when no
    difference was found."""
    return await reconcile(session, ctx.node)
