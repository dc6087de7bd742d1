"""``GET /v1/events`` (pages the event log) and ``GET /v1/events/stream`` (live Server-Sent Events)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import Field

from tanglehub.hub.api.deps import ContextDep, SessionDep, require_scope
from tanglehub.hub.api.problem import PROBLEM_RESPONSES
from tanglehub.hub.errors import HubArgumentError
from tanglehub.hub.events.repository import list_events
from tanglehub.hub.events.stream import event_stream
from tanglehub.hub.ledger.schemas import ApiModel

__all__ = ["EventPage", "EventPublic", "router"]

router = APIRouter(tags=["events"], responses=PROBLEM_RESPONSES)

_KIND_PATTERN = r"^[a-z0-9_.,]{1,500}$"


class EventPublic(ApiModel):
    """One event: strictly increasing ``seq``, dotted ``kind`` (``deposit.credited``), ``createdAt`` Unix ms,
    and the kind's ``data`` object (amounts as decimal strings)."""

    seq: int
    kind: str
    created_at: int
    data: dict[str, object]


class EventPage(ApiModel):
    """Events after ``after`` in order; pass ``nextAfter`` as ``after`` to continue (it equals ``after`` when
    nothing newer exists yet, so polling with it is safe)."""

    items: list[EventPublic]
    next_after: int = Field(ge=0)


def _kinds(kinds: str | None) -> list[str] | None:
    items = [k for k in (kinds or "").split(",") if k]
    return items or None


@router.get("/v1/events", dependencies=[Depends(require_scope("read"))])
def get_events(
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="Return events with seq > after.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    kinds: Annotated[
        str | None, Query(pattern=_KIND_PATTERN, description="Comma-separated event kinds to include.")
    ] = None,
) -> EventPage:
    """Page the event log in ``seq`` order (read scope)."""
    rows = list_events(session, after, limit, _kinds(kinds))
    items = [EventPublic(seq=r.seq, kind=r.kind, created_at=r.created_at, data=r.data) for r in rows]
    return EventPage(items=items, next_after=rows[-1].seq if rows else after)


@router.get(
    "/v1/events/stream",
    dependencies=[Depends(require_scope("read"))],
    response_class=StreamingResponse,
    responses={200: {"description": "A never-ending text/event-stream", "content": {"text/event-stream": {}}}},
)
async def stream_events(
    request: Request,
    ctx: ContextDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="Start after this seq.")] = 0,
    kinds: Annotated[str | None, Query(pattern=_KIND_PATTERN)] = None,
    last_event_id: Annotated[str | None, Header(description="Resume after this seq (wins over after).")] = None,
) -> StreamingResponse:
    """Live Server-Sent Events: every event after ``Last-Event-ID`` (or ``after``), then new ones as they
    commit; ``id:`` is the event's seq. The stream never ends on its own (read scope)."""
    start = after
    if last_event_id is not None and last_event_id.strip():
        value = last_event_id.strip()
        if not value.isdigit() or int(value) > 2**63 - 1:
            shown = value[:40]
            raise HubArgumentError(f"Last-Event-ID must be an event seq (a non-negative integer), got {shown!r}")
        start = int(value)
    closing: asyncio.Event | None = getattr(request.app.state, "closing", None)

    async def gone() -> bool:
        return (closing is not None and closing.is_set()) or await request.is_disconnected()

    return StreamingResponse(
        event_stream(ctx, start, _kinds(kinds), gone),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
