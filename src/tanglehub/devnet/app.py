"""Explicit assembly of the devnet's ASGI app (Starlette) around an injected config or node.

Error mapping: every tanglehub error becomes the node's error JSON with the error's HTTP status (protocol and
codec errors 400, unknown ids 404, ...); unknown routes 404, wrong methods 405, anything unexpected 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.faults import ConnectionDroppedOnPurpose, FaultMiddleware, quiet_dropped_connections
from tanglehub.devnet.http import error_response
from tanglehub.devnet.issuer import milestone_timer
from tanglehub.devnet.node import DevnetNode
from tanglehub.devnet.routes_admin import admin_routes
from tanglehub.devnet.routes_core import core_routes
from tanglehub.devnet.routes_indexer import indexer_routes
from tanglehub.errors import TanglehubError

__all__ = ["create_app"]

log = logging.getLogger("tanglehub.devnet")


async def _tanglehub_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TanglehubError)
    return error_response(exc.http_status, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, f"no route {request.url.path}")
    return error_response(exc.status_code, str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ConnectionDroppedOnPurpose):  # a fault, not a bug: one line, no traceback
        log.warning("fault: dropped the connection of %s %s on purpose", request.method, request.url.path)
        return error_response(500, "connection dropped")  # never sent: the response has started
    log.exception("internal error on %s %s", request.method, request.url.path)
    return error_response(500, "internal error in the devnet node; see its log")


def create_app(config: DevnetConfig | None = None, node: DevnetNode | None = None) -> Starlette:
    """Build the devnet app; pass a ready ``node`` (tests, bench) or a ``config`` to build one."""
    if node is None:
        node = DevnetNode(config or DevnetConfig())
    the_node = node

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = None
        interval = the_node.config.milestone_interval
        if interval > 0:
            task = asyncio.create_task(milestone_timer(app, interval))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            the_node.close()

    quiet_dropped_connections()
    app = Starlette(
        routes=[*core_routes(), *indexer_routes(), *admin_routes()],
        middleware=[Middleware(FaultMiddleware, faults=the_node.faults)],
        exception_handlers={
            TanglehubError: _tanglehub_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.node = the_node
    app.state.milestone_lock = asyncio.Lock()
    return app
