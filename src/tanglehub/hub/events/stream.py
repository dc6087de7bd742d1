"""The live event stream: Server-Sent Events over the event log, resumable, never ending on its own.

Each event is one SSE message: ``id: <seq>``, ``event: <kind>``, ``data: <JSON of the event>``. A client that
reconnects sends ``Last-Event-ID`` (browsers do this themselves) and gets exactly the events after it, so a
dropped connection loses nothing. While idle the stream polls the log every ``stream_poll_interval`` seconds
(200 ms by default) and sends a ``: heartbeat`` comment every ``stream_heartbeat`` seconds so proxies keep the
connection open. The JSON of an event is :func:`event_json`, the same in ``GET /v1/events`` and webhooks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import exc as sa_exc

from tanglehub.hub.events.repository import EventRow, list_events

if TYPE_CHECKING:
    from tanglehub.hub.context import HubContext

__all__ = ["STREAM_BATCH", "event_json", "event_stream", "format_sse"]

STREAM_BATCH = 500
"""Events read from the database per poll while catching up."""
RETRY_MS = 2000
"""The reconnection delay the stream asks clients to use (SSE ``retry:`` field)."""
OUTAGE_RETRY_SECONDS = 0.5
"""How often an open stream retries the event log while the database is unavailable."""
DATABASE_OUTAGE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
"""Errors that mean the database is unreachable for now (the stream stays open and retries)."""

log = logging.getLogger("tanglehub.hub.events")


def event_json(row: EventRow) -> dict[str, Any]:
    """An event as the API shows it: ``{"seq", "kind", "createdAt" (Unix ms), "data"}``."""
    return {"seq": row.seq, "kind": row.kind, "createdAt": row.created_at, "data": row.data}


def format_sse(row: EventRow) -> bytes:
    """One SSE message for ``row`` (``id``, ``event`` and a single-line ``data`` field)."""
    data = json.dumps(event_json(row), separators=(",", ":"), sort_keys=True)
    return f"id: {row.seq}\nevent: {row.kind}\ndata: {data}\n\n".encode()


def _read(ctx: HubContext, after: int, kinds: Sequence[str] | None) -> list[EventRow]:
    with ctx.sessionmaker() as session:
        return list_events(session, after, STREAM_BATCH, kinds)


async def event_stream(
    ctx: HubContext,
    after: int,
    kinds: Sequence[str] | None,
    is_disconnected: Callable[[], Awaitable[bool]],
) -> AsyncIterator[bytes]:
    """Yield SSE bytes for every event with ``seq > after`` (of ``kinds`` when given), forever.

    Stops only when ``is_disconnected()`` reports the client gone (checked while idle) or the task is
    cancelled (server shutdown); while the database is unavailable it sends one ``: database unavailable``
    comment and retries every :data:`OUTAGE_RETRY_SECONDS`.
    """
    poll = ctx.settings.stream_poll_interval
    heartbeat = ctx.settings.stream_heartbeat
    yield f"retry: {RETRY_MS}\n: stream of events after {after}\n\n".encode()
    last_sent = time.monotonic()
    outage = False
    while True:
        try:
            rows = await asyncio.to_thread(_read, ctx, after, kinds)
        except DATABASE_OUTAGE as exc:
            # a database blip must not end every subscriber's stream: say so once, keep polling, resume from
            # the last event sent (nothing is skipped: the next read starts after it)
            if not outage:
                log.warning("event stream: the database is unavailable (%s); retrying", type(exc).__name__)
                yield b": database unavailable, retrying\n\n"
                outage = True
            if await is_disconnected():
                return
            await asyncio.sleep(max(poll, OUTAGE_RETRY_SECONDS))
            continue
        outage = False
        if rows:
            for row in rows:
                yield format_sse(row)
                after = row.seq
            last_sent = time.monotonic()
            continue
        if await is_disconnected():
            return
        if time.monotonic() - last_sent >= heartbeat:
            yield b": heartbeat\n\n"
            last_sent = time.monotonic()
        await asyncio.sleep(poll)
