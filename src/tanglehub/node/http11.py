"""A minimal HTTP/1.1 keep-alive client on asyncio streams: the node client's default wire.

Why our own: ``bench/node_transport.py`` measured the client CPU per request against one devnet (2-core
machine, shared): httpx as the node client used it ~460-510 µs one at a time and ~1,060-1,120 µs with 16 in
flight; httpx with lean pool settings the same; httpcore's pool alone 300/760-820 µs; aiohttp 97-124/72-107
µs; this client 60-64/58-59 µs; iota-sdk's Rust client 81-101 µs. aiohttp was the only library close; this
client still costs 1.2-2x less CPU than it, needs no dependency, and speaks only what a node's REST API
needs: ``GET``/``POST`` with a small body, ``Content-Length`` or ``chunked`` answers, persistent connections
(at most ``max_connections`` open, idle ones reused newest first), plain TCP or TLS. It does not follow
redirects and ignores proxy environment variables (httpx honoured ``HTTP(S)_PROXY``).

Errors: every failure to connect, send or read becomes :class:`~tanglehub.node.errors.NodeUnavailable`;
running past ``timeout`` seconds (for the whole exchange) becomes :class:`~tanglehub.node.errors.NodeTimeout`.
A request that fails on a reused idle connection before any byte of the answer arrived is sent once more on a
fresh connection (the server closed the idle connection; nothing was processed).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tanglehub.node.errors import NodeArgumentError, NodeTimeout, NodeUnavailable

__all__ = ["Http11Client", "RawResponse"]

_MAX_HEADER_BYTES = 64 * 1024
_MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RawResponse:
    """One answer: status code, lower-cased header names (last value wins) and the whole body."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    content: bytes


class _Stale(Exception):
    """A reused connection was closed by the server before it answered (safe to resend)."""


class _Connection:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def usable(self) -> bool:
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class Http11Client:
    """Keep-alive HTTP/1.1 client for one origin (``http://host:port`` or ``https://...``).

    ``headers`` are sent with every request; ``request`` returns a :class:`RawResponse` for any status.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        headers: Sequence[tuple[str, str]] = (),
        max_connections: int = 32,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NodeArgumentError(f"node URL must be http(s)://host[:port][/prefix], got {base_url!r}")
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._ssl: ssl.SSLContext | None = ssl.create_default_context() if parts.scheme == "https" else None
        self._prefix = parts.path.rstrip("/")
        self._url = base_url
        self._timeout = timeout
        default_port = (parts.scheme == "https" and self._port == 443) or (
            parts.scheme == "http" and self._port == 80
        )
        host = self._host if default_port else f"{self._host}:{self._port}"
        if ":" in self._host and not default_port:
            host = f"[{self._host}]:{self._port}"
        lines = [f"Host: {host}"] + [f"{k}: {v}" for k, v in headers]
        self._fixed = ("\r\n".join(lines) + "\r\n").encode("latin-1")
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)
        self._closed = False

    async def aclose(self) -> None:
        """Close every idle connection; later requests fail with :class:`NodeUnavailable`."""
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    async def request(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes | None = None,
    ) -> RawResponse:
        """Send ``method target`` (path plus query, already encoded) and read the whole answer."""
        if self._closed:
            raise NodeUnavailable(f"the client for {self._url} is closed")
        target = self._prefix + target
        head = self._head(method, target, headers, body)
        try:
            async with asyncio.timeout(self._timeout), self._slots:  # waiting for a connection counts too
                return await self._exchange(method, target, head, body)
        except TimeoutError as exc:
            raise NodeTimeout(f"node at {self._url} did not answer {method} in {self._timeout:g} s") from exc

    def _head(self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes | None) -> bytes:
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers)
        if body is not None:
            extra += f"Content-Length: {len(body)}\r\n"
        return (
            f"{method} {target} HTTP/1.1\r\n".encode("latin-1") + self._fixed + (extra + "\r\n").encode("latin-1")
        )

    async def _exchange(self, method: str, target: str, head: bytes, body: bytes | None) -> RawResponse:
        while self._idle:
            conn = self._idle.pop()
            if not conn.usable():
                conn.close()
                continue
            try:
                return await self._on(conn, method, target, head, body, reused=True)
            except _Stale:
                continue
        conn = await self._connect()
        try:
            return await self._on(conn, method, target, head, body, reused=False)
        except _Stale as exc:  # pragma: no cover - _on raises _Stale only for reused connections
            raise NodeUnavailable(f"node at {self._url} closed the connection") from exc

    async def _connect(self) -> _Connection:
        try:
            reader, writer = await asyncio.open_connection(
                self._host, self._port, ssl=self._ssl, limit=_MAX_HEADER_BYTES
            )
        except OSError as exc:
            raise NodeUnavailable(f"cannot reach node at {self._url}: {type(exc).__name__}: {exc}") from exc
        return _Connection(reader, writer)

    async def _on(
        self, conn: _Connection, method: str, target: str, head: bytes, body: bytes | None, *, reused: bool
    ) -> RawResponse:
        keep = False
        try:
            conn.writer.write(head + body if body else head)
            try:
                raw_head = await conn.reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if reused and not exc.partial:
                    raise _Stale from exc
                raise
            response, keep = await _read_body(conn.reader, method, target, raw_head)
            return response
        except _Stale:
            raise
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            if reused and isinstance(exc, ConnectionResetError | BrokenPipeError):
                raise _Stale from exc
            raise NodeUnavailable(
                f"node at {self._url} broke off {method} {target.partition('?')[0]}: {type(exc).__name__}"
            ) from exc
        finally:
            if keep and not self._closed:
                self._idle.append(conn)
            else:
                conn.close()


async def _read_body(
    reader: asyncio.StreamReader, method: str, target: str, raw_head: bytes
) -> tuple[RawResponse, bool]:
    """Parse the status line and headers in ``raw_head`` and read the body they announce."""
    lines = raw_head[:-4].split(b"\r\n")
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError("not an HTTP/1.x status line")
    status = int(parts[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    keep = parts[0] == b"HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        content = b""
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        content = await _read_chunked(reader)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if not 0 <= length <= _MAX_BODY_BYTES:
            raise ValueError("content-length out of range")
        content = await reader.readexactly(length)
    else:
        content = await reader.read(_MAX_BODY_BYTES)
        keep = False
    return RawResponse(method, target.partition("?")[0], status, headers, content), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return b"".join(chunks)
        total += size
        if total > _MAX_BODY_BYTES:
            raise ValueError("chunked body too large")
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)
