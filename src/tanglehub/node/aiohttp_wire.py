"""The node client's default wire: one :class:`aiohttp.ClientSession` per node, over keep-alive HTTP/1.1.

Why aiohttp: the project keeps HTTP client code out of its own tree (a well-kept library beats code of ours
outside the protocol and custody logic), and of the libraries ``bench/node_transport.py`` measured aiohttp
uses the least client CPU per request (0.2-0.4x httpx's on the shared 2-core machine; bench/README.md).

Lifecycle: the session and its :class:`aiohttp.TCPConnector` are made on the first request, inside the
running event loop (aiohttp binds both to it), and closed by :meth:`AiohttpWire.aclose`; a client that was
never used has nothing to close. One wire serves one event loop: make a new ``NodeClient`` per loop.

Settings: the environment's proxy (``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY``, as httpx honoured them) is
looked up once, when the wire is made: aiohttp's ``trust_env`` looks it up (and reads ``~/.netrc``) in a
worker thread for every request, which the bench measured at about twice the CPU per request. No cookie jar
(:class:`aiohttp.DummyCookieJar`: node APIs set none), no ``Accept-Encoding`` and no decompression (answers
are small JSON or binary blocks); these measured the same as aiohttp's defaults, within the machine's noise.
Redirects are followed (aiohttp's default, at most 10).

Errors: not reaching the node becomes :class:`~tanglehub.node.errors.NodeUnavailable` ("cannot reach
node"), a connection broken off or an answer that is not valid HTTP becomes ``NodeUnavailable`` ("broke
off"), and running past ``timeout`` seconds for the whole exchange (waiting for a free connection included)
becomes :class:`~tanglehub.node.errors.NodeTimeout`. aiohttp resends an idempotent request (GET) once on a
fresh connection when a reused keep-alive connection was closed by the server before it answered (RFC 9112
section 9.3.1); a POST is not resent here (:class:`~tanglehub.node.pool.NodePool` retries it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from yarl import URL

from tanglehub.node.errors import NodeArgumentError, NodeTimeout, NodeUnavailable
from tanglehub.node.transport import RawResponse

__all__ = ["AiohttpWire", "env_proxy"]


def env_proxy(url: str) -> str | None:
    """The proxy URL the environment names for ``url`` (``HTTP_PROXY``/``HTTPS_PROXY``), or None when there
    is none or ``NO_PROXY`` exempts the host."""
    parts = urlsplit(url)
    if parts.hostname is None or proxy_bypass(parts.hostname):
        return None
    return getproxies().get(parts.scheme)


class AiohttpWire:
    """A :class:`~tanglehub.node.transport.Wire` for one node (``http(s)://host[:port][/prefix]``).

    ``headers`` go with every request; ``max_connections`` bounds the keep-alive connections (requests
    beyond wait for one, within ``timeout``); ``proxy`` overrides the environment's (``""``: none).
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        headers: Mapping[str, str],
        max_connections: int = 32,
        proxy: str | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NodeArgumentError(f"node URL must be http(s)://host[:port][/prefix], got {base_url!r}")
        self._url = base_url
        self._prefix = base_url.rstrip("/")
        self._path_prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._headers = dict(headers)
        self._max_connections = max_connections
        self._proxy = env_proxy(base_url) if proxy is None else (proxy or None)
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        """Make the session inside the running loop (first request only)."""
        connector = aiohttp.TCPConnector(limit=self._max_connections)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers=self._headers,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("Accept-Encoding",),
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=self._timeout),
            proxy=self._proxy,
        )
        return self._session

    async def aclose(self) -> None:
        """Close the session and its connections; later requests fail with :class:`NodeUnavailable`."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def request(
        self, method: str, target: str, headers: Sequence[tuple[str, str]] = (), body: bytes | None = None
    ) -> RawResponse:
        """Send ``method target`` (path plus query, already percent-encoded) and read the whole answer."""
        if self._closed:
            raise NodeUnavailable(f"the client for {self._url} is closed")
        session = self._session or self._open()
        path = self._path_prefix + target.partition("?")[0]
        try:
            async with session.request(
                method, URL(self._prefix + target, encoded=True), headers=headers, data=body
            ) as response:
                content = await response.read()
                return RawResponse(method, path, response.status, content)
        except TimeoutError as exc:  # aiohttp's ServerTimeoutError is a TimeoutError too
            raise NodeTimeout(f"node at {self._url} did not answer {method} in {self._timeout:g} s") from exc
        except aiohttp.ClientConnectorError as exc:
            raise NodeUnavailable(f"cannot reach node at {self._url}: {type(exc).__name__}: {exc}") from exc
        except aiohttp.ClientError as exc:
            raise NodeUnavailable(f"node at {self._url} broke off {method} {path}: {type(exc).__name__}") from exc
