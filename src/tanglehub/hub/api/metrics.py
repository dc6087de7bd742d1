"""``GET /metrics`` in the Prometheus text format, and the request-latency middleware.

Series (each app has its own registry, so several hubs in one process do not collide):

* ``tanglehub_hub_request_seconds{method,route,status}``: histogram of the time to the response's first byte;
* ``tanglehub_hub_scanner_lag_milestones``: confirmed milestones not yet scanned (-1 when unknown);
* ``tanglehub_hub_deposits{class}``: deposits recorded per class;
* ``tanglehub_hub_webhook_backlog``: deliveries pending plus events not yet fanned out;
* ``tanglehub_hub_events_last_seq``: the event log's newest sequence number;
* ``tanglehub_hub_withdrawals{state}``: withdrawals per state;
* ``tanglehub_hub_payouts_short_funds``: what the oldest waiting withdrawal needs while hot funds are short (0
  when they are not).

The gauges are computed at scrape time from the database and the node (unauthenticated, like ``/ready``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tanglehub.hub.api.deps import ContextDep
from tanglehub.hub.api.health import scanner_lag
from tanglehub.hub.deposits.repository import count_by_class
from tanglehub.hub.deposits.service import read_cursor
from tanglehub.hub.events.repository import last_seq
from tanglehub.hub.webhooks.repository import count_backlog

__all__ = ["HubMetrics", "LatencyMiddleware", "router"]

router = APIRouter(tags=["operations"])

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HubMetrics:
    """The app's registry and series (stored on ``app.state.metrics``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.request_seconds = Histogram(
            "tanglehub_hub_request_seconds",
            "Time from request to the response's first byte, by route template",
            ("method", "route", "status"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.scanner_lag = Gauge(
            "tanglehub_hub_scanner_lag_milestones", "Confirmed milestones not yet scanned", registry=self.registry
        )
        registry = self.registry
        self.deposits = Gauge("tanglehub_hub_deposits", "Deposits by class", ("class",), registry=registry)
        self.webhook_backlog = Gauge(
            "tanglehub_hub_webhook_backlog", "Webhook deliveries not yet done", registry=self.registry
        )
        self.last_seq = Gauge("tanglehub_hub_events_last_seq", "Newest event sequence number", registry=registry)
        self.withdrawals = Gauge(
            "tanglehub_hub_withdrawals", "Withdrawals by state", ("state",), registry=registry
        )
        self.short_funds = Gauge(
            "tanglehub_hub_payouts_short_funds",
            "Amount the oldest waiting withdrawal needs (0: not short)",
            registry=registry,
        )


class LatencyMiddleware:
    """Pure ASGI middleware timing every HTTP request to its first response byte (streams stay streaming)."""

    def __init__(self, app: ASGIApp, metrics: HubMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                route = scope.get("route")
                template = getattr(route, "path", None) or "unmatched"
                self.metrics.request_seconds.labels(scope["method"], template, str(message["status"])).observe(
                    time.perf_counter() - started
                )
            await send(message)

        await self.app(scope, receive, timed_send)


def _snapshot(ctx: ContextDep) -> tuple[int | None, dict[str, int], int, int]:
    with ctx.sessionmaker() as session:
        return read_cursor(session), count_by_class(session), count_backlog(session), last_seq(session)


def _payouts(ctx: ContextDep) -> tuple[dict[str, int], int]:
    from tanglehub.hub.payouts.withdrawal_batches import read_short, withdrawal_counts  # noqa: PLC0415

    with ctx.sessionmaker() as session:
        return withdrawal_counts(session), read_short(session)


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
async def metrics(request: Request, ctx: ContextDep) -> Response:
    """Prometheus metrics (text exposition format)."""
    series: HubMetrics = request.app.state.metrics
    next_milestone, by_class, backlog, seq = await asyncio.to_thread(_snapshot, ctx)
    confirmed: int | None
    try:
        info: Any = await asyncio.wait_for(ctx.node.get_info(), 5.0)
        confirmed = info.status.confirmed_milestone.index
    except Exception:  # the node being down shows as lag -1, not as a failed scrape
        confirmed = None
    lag = scanner_lag(next_milestone, confirmed)
    series.scanner_lag.set(-1 if lag is None else lag)
    for name, count in by_class.items():
        series.deposits.labels(name).set(count)
    series.webhook_backlog.set(backlog)
    series.last_seq.set(seq)
    by_state, short = await asyncio.to_thread(_payouts, ctx)
    for state, count in by_state.items():
        series.withdrawals.labels(state).set(count)
    series.short_funds.set(short)
    return Response(generate_latest(series.registry), media_type=CONTENT_TYPE_LATEST)
