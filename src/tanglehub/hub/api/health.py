"""``GET /health`` (the process answers) and ``GET /ready`` (database, node, signer, scanner lag).

Both are unauthenticated so load balancers and orchestrators can probe them; they reveal no user data.
``/ready`` answers 200 when every check passes and 503 otherwise, always with the same JSON shape::

    {"ready": true, "checks": {"database": {"ok": true}, "node": {"ok": true, "confirmedMilestone": 120},
     "signer": {"ok": true}, "scanner": {"ok": true, "nextMilestone": 118, "lagMilestones": 3}}}

The scanner check fails when the lag exceeds :data:`MAX_READY_LAG` milestones (catching up after downtime).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from tanglehub.hub.api.deps import ContextDep
from tanglehub.hub.deposits.service import read_cursor

__all__ = ["CHECK_TIMEOUT", "MAX_READY_LAG", "readiness", "router", "scanner_lag"]

CHECK_TIMEOUT = 5.0
"""Seconds each readiness check may take."""
MAX_READY_LAG = 30
"""Milestones the scanner may trail the node's confirmed milestone and still count as ready."""

router = APIRouter(tags=["operations"])
log = logging.getLogger("tanglehub.hub.api")


def scanner_lag(next_milestone: int | None, confirmed: int | None) -> int | None:
    """Milestones confirmed by the node but not yet scanned (None when either side is unknown)."""
    if next_milestone is None or confirmed is None:
        return None
    return max(0, confirmed - (next_milestone - 1))


def _database(ctx: ContextDep) -> int | None:
    with ctx.sessionmaker() as session:
        session.execute(text("SELECT 1"))
        return read_cursor(session)


async def _check(name: str, coro: Any) -> tuple[bool, Any, str | None]:
    """Run one check. A failure is a short, stable reason in the (unauthenticated) answer; what the driver
    said (host names, database names) goes to the hub's log only."""
    try:
        return True, await asyncio.wait_for(coro, CHECK_TIMEOUT), None
    except TimeoutError:
        log.warning("readiness: the %s check took longer than %s s", name, CHECK_TIMEOUT)
        return False, None, f"no answer within {CHECK_TIMEOUT:g} s"
    except Exception as exc:  # every failure is a "not ready" answer, never a 500
        first_line = (str(exc).splitlines() or [""])[0][:300]
        log.warning("readiness: the %s check failed: %s: %s", name, type(exc).__name__, first_line)
        return False, None, f"unreachable ({type(exc).__name__}); details in the hub's log"


async def readiness(ctx: ContextDep) -> dict[str, Any]:
    """Run every check (concurrently) and return the ``/ready`` body."""
    settings = ctx.settings
    db_result, node_result, signer_result = await asyncio.gather(
        _check("database", asyncio.to_thread(_database, ctx)),
        _check("node", ctx.node.get_info()),
        _check("signer", ctx.address_source.derive_addresses(settings.deposit_account, 0, 0, 1)),
    )
    checks: dict[str, dict[str, Any]] = {
        "database": {"ok": db_result[0]},
        "node": {"ok": node_result[0]},
        "signer": {"ok": signer_result[0]},
    }
    for name, result in (("database", db_result), ("node", node_result), ("signer", signer_result)):
        if result[2]:
            checks[name]["error"] = result[2]
    confirmed = node_result[1].status.confirmed_milestone.index if node_result[0] else None
    if confirmed is not None:
        checks["node"]["confirmedMilestone"] = confirmed
    next_milestone = db_result[1] if db_result[0] else None
    lag = scanner_lag(next_milestone, confirmed)
    checks["scanner"] = {
        "ok": lag is not None and lag <= MAX_READY_LAG,
        "nextMilestone": next_milestone,
        "lagMilestones": lag,
    }
    return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process serves requests (``{"status": "ok"}``)."""
    return {"status": "ok"}


@router.get(
    "/ready",
    responses={503: {"description": "At least one check failed (same body shape)"}},
)
async def ready(ctx: ContextDep) -> JSONResponse:
    """Readiness: database reachable, node reachable, signer answering, scanner within 30 milestones."""
    body = await readiness(ctx)
    return JSONResponse(body, status_code=200 if body["ready"] else 503)
