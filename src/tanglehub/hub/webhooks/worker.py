"""The webhook worker: turns the event log into signed HTTP deliveries, driven by per-webhook cursors.

Loop: (1) :func:`~tanglehub.hub.webhooks.service.fan_out` makes delivery rows for new events and advances
each webhook's cursor in the same transaction; (2) every due pending delivery is POSTed (up to
``webhook_concurrency`` at once) and its outcome booked. Because the row exists before the request and is
marked ``succeeded`` only after a 2xx, a crash at any point loses no delivery; a crash between the receiver's
2xx and the booking sends that event again, with the same ``Tanglehub-Event-Id`` (at-least-once; receivers
deduplicate on the event id). The body is the same bytes on every attempt; the timestamp and signature are
fresh per attempt. Runs as a single active instance (the runner holds its lock); entry point
:func:`run_webhook_worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import httpx
from sqlalchemy.orm import Session, sessionmaker

from tanglehub.hub.db import now_ms
from tanglehub.hub.events.stream import event_json
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.webhooks import repository as repo
from tanglehub.hub.webhooks.service import AttemptOutcome, fan_out, record_attempt
from tanglehub.hub.webhooks.signature import (
    DELIVERY_HEADER,
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_header,
)

__all__ = ["DUE_BATCH", "DeliveryJob", "WorkerContext", "deliver_once", "run_webhook_worker", "work_once"]

log = logging.getLogger("tanglehub.hub.webhooks")

DUE_BATCH = 200
"""Due deliveries picked per round."""
USER_AGENT = "tanglehub-webhooks/1"


class WorkerContext(Protocol):
    """What the worker needs from :class:`~tanglehub.hub.context.HubContext`."""

    @property
    def settings(self) -> HubSettings: ...

    @property
    def sessionmaker(self) -> sessionmaker[Session]: ...


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """One attempt to make: where, with which secret, and the exact body bytes."""

    delivery_id: int
    url: str
    secret: str
    event_seq: int
    event_kind: str
    body: bytes


def _due_jobs(ctx: WorkerContext, limit: int) -> list[DeliveryJob]:
    jobs: list[DeliveryJob] = []
    with ctx.sessionmaker() as session:
        for delivery, hook in repo.due_deliveries(session, now_ms(), limit):
            event = repo.get_event(session, delivery.event_seq)
            if event is None:  # pragma: no cover - the log is append-only
                continue
            body = json.dumps(event_json(event), separators=(",", ":"), sort_keys=True).encode()
            jobs.append(DeliveryJob(delivery.delivery_id, hook.url, hook.secret, event.seq, event.kind, body))
    return jobs


async def deliver_once(client: httpx.AsyncClient, job: DeliveryJob) -> AttemptOutcome:
    """POST ``job`` once with fresh timestamp and signature headers; report what came back."""
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_ID_HEADER: str(job.event_seq),
        EVENT_TYPE_HEADER: job.event_kind,
        DELIVERY_HEADER: str(job.delivery_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_header(job.secret, timestamp, job.body),
    }
    try:
        response = await client.post(job.url, content=job.body, headers=headers)
    except httpx.HTTPError as exc:
        return AttemptOutcome(None, f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__)
    if 200 <= response.status_code < 300:
        return AttemptOutcome(response.status_code, None)
    return AttemptOutcome(response.status_code, f"HTTP {response.status_code}: {response.text[:200]}")


def _fan_out(ctx: WorkerContext) -> int:
    with ctx.sessionmaker() as session:
        return fan_out(session)


def _book(ctx: WorkerContext, delivery_id: int, outcome: AttemptOutcome) -> str:
    with ctx.sessionmaker() as session:
        return record_attempt(session, ctx.settings, delivery_id, outcome)


async def work_once(ctx: WorkerContext, client: httpx.AsyncClient) -> int:
    """One round: fan out new events, then attempt every due delivery; return the attempts made."""
    await asyncio.to_thread(_fan_out, ctx)
    jobs = await asyncio.to_thread(_due_jobs, ctx, DUE_BATCH)
    if not jobs:
        return 0
    gate = asyncio.Semaphore(ctx.settings.webhook_concurrency)

    async def attempt(job: DeliveryJob) -> None:
        async with gate:
            outcome = await deliver_once(client, job)
        status = await asyncio.to_thread(_book, ctx, job.delivery_id, outcome)
        if not outcome.ok:
            log.info(
                "webhook delivery %d (event %d) failed: %s -> %s",
                job.delivery_id,
                job.event_seq,
                outcome.error,
                status,
            )

    await asyncio.gather(*(attempt(job) for job in jobs))
    return len(jobs)


async def _wait(stop_event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop_event.wait(), timeout=seconds)


async def run_webhook_worker(
    ctx: WorkerContext,
    stop_event: asyncio.Event,
    *,
    client_factory: Callable[[], httpx.AsyncClient] | None = None,
    on_round: Callable[[int], Awaitable[None]] | None = None,
) -> None:
    """Deliver webhooks until ``stop_event`` is set; a failing round is logged and retried, never fatal.

    Args:
        ctx: the hub context (settings + sessionmaker).
        stop_event: set it to stop after the current round.
        client_factory: builds the HTTP client (tests pass one with a custom transport).
        on_round: awaited after every round with the number of attempts made (tests and metrics).
    """
    settings = ctx.settings

    def default_client() -> httpx.AsyncClient:
        timeout = httpx.Timeout(settings.webhook_timeout)
        return httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False)

    async with (client_factory or default_client)() as client:
        while not stop_event.is_set():
            try:
                made = await work_once(ctx, client)
            except Exception:  # a database hiccup must not kill the worker
                log.exception("webhook worker round failed; retrying")
                made = 0
            if on_round is not None:
                await on_round(made)
            if made == 0:
                await _wait(stop_event, settings.webhook_poll_interval)
