"""Treasury routes: ``GET /v1/treasury`` (hot, cold sent, pending out, liabilities) and ``GET /v1/sweeps``."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from tanglehub.hub.api.deps import ContextDep, SessionDep, require_scope
from tanglehub.hub.sweeps import service as sweeps
from tanglehub.hub.treasury import service
from tanglehub.hub.treasury.schemas import SweepList, SweepPublic, TreasuryPublic

__all__ = ["router"]

router = APIRouter(tags=["treasury"])


def _opt(value: int | None) -> str | None:
    return None if value is None else str(value)


@router.get("/v1/treasury", dependencies=[Depends(require_scope("read"))])
def get_treasury(session: SessionDep, ctx: ContextDep) -> TreasuryPublic:
    """The hot wallet, what went to cold storage, what is owed and the configured limits."""
    st = service.status(session, ctx.settings)
    session.rollback()
    return TreasuryPublic(
        hot=str(st.hot),
        hot_deposits=str(st.hot_deposits),
        hot_addresses=str(st.hot_addresses),
        pending_out=str(st.pending_out),
        free=str(st.free),
        cold_sent=str(st.cold_sent),
        cold_in_flight=str(st.cold_in_flight),
        users_total=str(st.users_total),
        liabilities=str(st.liabilities),
        ceiling=_opt(st.ceiling),
        target=_opt(st.target),
        floor=_opt(st.floor),
        below_floor=st.below_floor,
        cold_address=st.cold_address,
    )


@router.get("/v1/sweeps", dependencies=[Depends(require_scope("read"))])
def list_sweeps(
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> SweepList:
    """Sweeps (consolidations of credited deposits into a hot address), oldest first."""
    rows = sweeps.swept(session, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for b in rows:
        note = json.loads(b.justification or "{}")
        items.append(
            SweepPublic(
                batch_id=str(b.id),
                state=b.state,
                outputs=[str(o) for o in note.get("outputs", [])],
                amount=str(note.get("amount", "0")),
                to=str(note.get("to", "")),
                transaction_id=b.transaction_id,
                block_id=b.block_id,
                milestone=b.milestone,
                reason=b.reason,
            )
        )
    session.rollback()
    return SweepList(items=items, next_cursor=rows[-1].id if more and rows else None)
