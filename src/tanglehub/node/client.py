"""``NodeClient``: one node's core API v2 and indexer API v1 on an :class:`httpx.AsyncClient`."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Self

import httpx

from tanglehub.node.errors import NodeArgumentError
from tanglehub.node.routes_core import CoreRoutes
from tanglehub.node.routes_indexer import IndexerRoutes

__all__ = ["DEFAULT_TIMEOUT", "USER_AGENT", "NodeClient"]

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for a node (connect, read, write and pool, each)."""
USER_AGENT = "tanglehub/0.1"


class NodeClient(CoreRoutes, IndexerRoutes):
    """Async client for one node; use as ``async with NodeClient(url) as node: await node.get_info()``.

    ``transport`` replaces the network (``httpx.MockTransport``, ``httpx.ASGITransport``); ``auth`` is a
    JWT sent as ``Authorization: Bearer`` (protected routes); ``headers`` are added to every request.
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        auth: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise NodeArgumentError(f"node URL must start with http:// or https://, got {base_url!r}")
        if timeout <= 0:
            raise NodeArgumentError("timeout must be a positive number of seconds")
        self.base_url = base_url.rstrip("/")
        all_headers = {"User-Agent": USER_AGENT}
        if auth is not None:
            all_headers["Authorization"] = f"Bearer {auth}"
        all_headers.update(headers or {})
        self._http = httpx.AsyncClient(
            base_url=self.base_url, transport=transport, timeout=timeout, headers=all_headers
        )

    def __repr__(self) -> str:
        return f"NodeClient({self.base_url!r})"

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
