"""Assemble the hub's FastAPI application around a :class:`~tanglehub.hub.context.HubContext`.

:func:`create_app` mounts every domain router (users, addresses, deposits, ledger, transfers: CORE's; events,
webhooks, health, metrics: EDGE's), the problem+json handlers and the latency middleware, and stores the
context on ``app.state.hub`` for :data:`~tanglehub.hub.api.deps.ContextDep`. With ``with_workers=True`` the
app's lifespan runs the background workers (scanner, address pool, webhooks) and stops them cleanly on
shutdown; the context itself is opened and closed by the caller. OpenAPI is at ``/openapi.json``, the
interactive docs at ``/docs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI

import tanglehub
from tanglehub.hub.api.health import router as health_router
from tanglehub.hub.api.metrics import HubMetrics, LatencyMiddleware
from tanglehub.hub.api.metrics import router as metrics_router
from tanglehub.hub.api.problem import PROBLEM_RESPONSES, install_problem_handlers
from tanglehub.hub.events.routes import router as events_router
from tanglehub.hub.webhooks.routes import router as webhooks_router

if TYPE_CHECKING:
    from tanglehub.hub.context import HubContext

__all__ = ["DOMAIN_ROUTERS", "begin_shutdown", "create_app"]

log = logging.getLogger("tanglehub.hub.api")

DOMAIN_ROUTERS = ("users", "addresses", "deposits", "ledger", "transfers", "withdrawals", "treasury", "recoveries")
"""CORE's domains whose ``tanglehub.hub.<domain>.routes.router`` is mounted (a domain without routes yet is
skipped)."""

DESCRIPTION = """The tanglehub custody hub: users, deposit addresses, deposits credited exactly once, a
double-entry ledger, internal transfers, an event log with a live stream and signed webhooks.

Authenticate with `Authorization: Bearer thk_<id>_<secret>` (keys from `tanglehub hub apikey create`).
Amounts are decimal strings of the smallest unit. Errors are RFC 9457 `application/problem+json` with a
stable `code`."""


def _domain_routers() -> list[APIRouter]:
    routers: list[APIRouter] = []
    for domain in DOMAIN_ROUTERS:
        name = f"tanglehub.hub.{domain}.routes"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers


def _report_worker_exit(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the hub's workers stopped with an error", exc_info=task.exception())


def create_app(ctx: HubContext, *, with_workers: bool = False) -> FastAPI:
    """The hub's ASGI app on ``ctx``; ``with_workers`` runs the background workers in its lifespan."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if not with_workers:
            yield
            return
        from tanglehub.hub.workers.runner import run_workers  # noqa: PLC0415 - only when workers run here

        stop = asyncio.Event()
        task = asyncio.create_task(run_workers(ctx, stop), name="hub-workers")
        task.add_done_callback(_report_worker_exit)
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=30)
            except TimeoutError:
                log.warning("workers did not stop within 30 s; cancelling them")
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        title="tanglehub hub",
        version=tanglehub.__version__ if hasattr(tanglehub, "__version__") else "0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.hub = ctx
    app.state.closing = asyncio.Event()
    metrics = HubMetrics()
    app.state.metrics = metrics
    install_problem_handlers(app)
    for router in _domain_routers():
        app.include_router(router, responses=PROBLEM_RESPONSES)
    for router in [events_router, webhooks_router, health_router, metrics_router]:
        app.include_router(router)
    app.add_middleware(LatencyMiddleware, metrics=metrics)
    return app


def begin_shutdown(app: FastAPI) -> None:
    """Tell the app the server is stopping: open event streams end within one poll interval, so a graceful
    shutdown does not wait on clients that would otherwise stay connected forever."""
    app.state.closing.set()
