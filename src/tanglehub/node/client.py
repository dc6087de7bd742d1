"""``NodeClient``: one node's core API v2 and indexer API v1 over keep-alive HTTP/1.1.

The wire is :class:`~tanglehub.node.aiohttp_wire.AiohttpWire` (one aiohttp session, made on the first request
inside the running loop, closed by :meth:`NodeClient.aclose`) unless an httpx ``transport`` is given (tests,
in-process nodes), which goes through :class:`~tanglehub.node.transport.HttpxWire`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Self

import httpx

from tanglehub.node.aiohttp_wire import AiohttpWire
from tanglehub.node.errors import NodeArgumentError
from tanglehub.node.routes_core import CoreRoutes
from tanglehub.node.routes_indexer import IndexerRoutes
from tanglehub.node.transport import HttpxWire, Wire

__all__ = ["DEFAULT_MAX_CONNECTIONS", "DEFAULT_TIMEOUT", "USER_AGENT", "NodeClient"]

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for one request to a node (connecting, sending and reading the whole answer)."""
DEFAULT_MAX_CONNECTIONS = 32
"""Keep-alive connections one client opens to its node at most (requests beyond wait for one)."""
USER_AGENT = "tanglehub/0.1"


class NodeClient(CoreRoutes, IndexerRoutes):
    """Async client for one node; use as ``async with NodeClient(url) as node: await node.get_info()``.

    ``transport`` replaces the network (``httpx.MockTransport``, ``httpx.ASGITransport``); ``auth`` is a
    JWT sent as ``Authorization: Bearer`` (protected routes); ``headers`` are added to every request;
    ``proxy`` is an HTTP proxy URL (default: the environment's ``HTTP(S)_PROXY``/``NO_PROXY``; ``""``: none).
    Close it with :meth:`aclose` (or ``async with``), on the event loop it ran on.
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        auth: str | None = None,
        headers: Mapping[str, str] | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        proxy: str | None = None,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise NodeArgumentError(f"node URL must start with http:// or https://, got {base_url!r}")
        if timeout <= 0:
            raise NodeArgumentError("timeout must be a positive number of seconds")
        if max_connections < 1:
            raise NodeArgumentError("max_connections must be at least 1")
        self.base_url = base_url.rstrip("/")
        all_headers = {"User-Agent": USER_AGENT}
        if auth is not None:
            all_headers["Authorization"] = f"Bearer {auth}"
        all_headers.update(headers or {})
        self._wire: Wire
        if transport is not None:
            self._wire = HttpxWire(self.base_url, transport=transport, timeout=timeout, headers=all_headers)
        else:
            self._wire = AiohttpWire(
                self.base_url, timeout=timeout, headers=all_headers, max_connections=max_connections, proxy=proxy
            )

    def __repr__(self) -> str:
        return f"NodeClient({self.base_url!r})"

    async def aclose(self) -> None:
        """Close the connection pool (the aiohttp session, if a request made one)."""
        await self._wire.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
