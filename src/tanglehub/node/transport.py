"""The HTTP seam of the node client: the wire, error translation, status mapping and the request helpers.

A :class:`Wire` sends one request and returns a :class:`RawResponse`. The default wire is
:class:`~tanglehub.node.aiohttp_wire.AiohttpWire` (aiohttp: the least client CPU per request of the libraries
``bench/node_transport.py`` measured); :class:`HttpxWire` carries a caller's ``httpx`` transport
(``MockTransport``, ``ASGITransport``) so tests and in-process nodes keep working. :func:`raise_for_status`
turns the node's ``{"error": {"code", "message"}}`` answers into :class:`~tanglehub.node.errors.NodeNotFound`,
:class:`~tanglehub.node.errors.NodeRejected` or :class:`~tanglehub.node.errors.NodeUnavailable`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from tanglehub.node.errors import (
    NodeBadResponse,
    NodeNotFound,
    NodeRejected,
    NodeTimeout,
    NodeUnavailable,
)

__all__ = [
    "BINARY_MEDIA_TYPE",
    "JSON_MEDIA_TYPE",
    "HttpBase",
    "HttpxWire",
    "QueryParams",
    "RawResponse",
    "Wire",
    "encode_target",
    "raise_for_status",
    "translate_errors",
]

BINARY_MEDIA_TYPE = "application/vnd.iota.serializer-v1"
"""Content type of TIP-21 binary bodies (``Accept`` for raw reads, ``Content-Type`` for raw blocks)."""
JSON_MEDIA_TYPE = "application/json"

QueryParams = Sequence[tuple[str, str]]
"""Ordered query parameters as the indexer query builder emits them."""

_MAX_NODE_MESSAGE = 300
_ACCEPT_JSON = (("Accept", JSON_MEDIA_TYPE),)
_ACCEPT_BINARY = (("Accept", BINARY_MEDIA_TYPE),)
_POST_JSON = (("Accept", JSON_MEDIA_TYPE), ("Content-Type", JSON_MEDIA_TYPE))
_POST_BINARY = (("Accept", JSON_MEDIA_TYPE), ("Content-Type", BINARY_MEDIA_TYPE))


@dataclass(frozen=True, slots=True)
class RawResponse:
    """One answer: the request's method and path (prefix included, no query), the status and the whole body."""

    method: str
    path: str
    status: int
    content: bytes


class Wire(Protocol):
    """Sends one HTTP request to a node; raises :class:`NodeUnavailable`/:class:`NodeTimeout` on failure."""

    async def request(
        self, method: str, target: str, headers: Sequence[tuple[str, str]] = (), body: bytes | None = None
    ) -> RawResponse:
        """``target`` is the path plus encoded query; any status is returned, not raised."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


def encode_target(path: str, params: QueryParams | None) -> str:
    """``path?name=value&...`` with the values percent-encoded (bech32, hex and numbers pass unchanged)."""
    if not params:
        return path
    return path + "?" + "&".join(f"{name}={_quoted(value)}" for name, value in params)


def _quoted(value: str) -> str:
    return value if value.isalnum() and value.isascii() else quote(value, safe="")


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Re-raise httpx transport exceptions as node errors naming ``url``."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise NodeTimeout(f"node at {url} did not answer in time ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise NodeUnavailable(f"cannot reach node at {url}: {type(exc).__name__}: {exc}") from exc
    except httpx.InvalidURL as exc:
        raise NodeUnavailable(f"invalid node URL {url}: {exc}") from exc


def _node_message(response: RawResponse) -> str | None:
    """The ``error.message`` of a node error body, or a short text excerpt, or None."""
    try:
        body = json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = response.content.decode("utf-8", "replace").strip()
        return text[:_MAX_NODE_MESSAGE] or None
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            return str(error["message"])[:_MAX_NODE_MESSAGE]
    return None


def raise_for_status(response: RawResponse) -> None:
    """Raise the node error matching a non-2xx ``response``; return quietly on success."""
    status = response.status
    if 200 <= status < 300:
        return
    what = f"{response.method} {response.path}"
    message = _node_message(response)
    suffix = f": {message}" if message else ""
    if status == 404:
        raise NodeNotFound(f"node has no such object ({what}){suffix}", status=status, node_message=message)
    if status >= 500:
        raise NodeUnavailable(f"node answered {status} to {what}{suffix}", status=status, node_message=message)
    raise NodeRejected(f"node rejected {what} with {status}{suffix}", status=status, node_message=message)


class HttpxWire:
    """A :class:`Wire` over an :class:`httpx.AsyncClient` (for a caller-supplied httpx transport)."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport,
        timeout: float,
        headers: Mapping[str, str],
    ) -> None:
        self._url = base_url
        self._http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout, headers=headers)

    async def request(
        self, method: str, target: str, headers: Sequence[tuple[str, str]] = (), body: bytes | None = None
    ) -> RawResponse:
        """Send through httpx, translating its exceptions."""
        request = self._http.build_request(method, target, headers=list(headers), content=body)
        with translate_errors(self._url):
            response = await self._http.send(request)
        return RawResponse(method, response.request.url.path, response.status_code, response.content)

    async def aclose(self) -> None:
        """Close the httpx client."""
        await self._http.aclose()


class HttpBase:
    """Owns the :class:`Wire` and the request shapes every route uses."""

    base_url: str
    _wire: Wire

    async def _send(
        self, method: str, target: str, headers: Sequence[tuple[str, str]], body: bytes | None = None
    ) -> RawResponse:
        response = await self._wire.request(method, target, headers, body)
        raise_for_status(response)
        return response

    def _json_of(self, response: RawResponse) -> Any:
        try:
            return json.loads(response.content)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise NodeBadResponse(
                f"node at {self.base_url} sent a body that is not JSON for {response.path}"
            ) from exc

    async def _get_json(self, path: str, params: QueryParams | None = None) -> Any:
        """GET ``path`` and return the decoded JSON body."""
        return self._json_of(await self._send("GET", encode_target(path, params), _ACCEPT_JSON))

    async def _get_bytes(self, path: str) -> bytes:
        """GET ``path`` asking for the binary serialization."""
        return (await self._send("GET", path, _ACCEPT_BINARY)).content

    async def _get_status(self, path: str) -> int:
        """GET ``path`` and return the status code (2xx or 503), mapping other failures."""
        response = await self._wire.request("GET", path)
        if response.status != 503:
            raise_for_status(response)
        return response.status

    async def _post_json(self, path: str, body: Any) -> Any:
        """POST a JSON ``body`` and return the decoded JSON answer."""
        data = json.dumps(body, separators=(",", ":")).encode()
        return self._json_of(await self._send("POST", path, _POST_JSON, data))

    async def _post_bytes(self, path: str, body: bytes) -> Any:
        """POST a binary ``body`` and return the decoded JSON answer."""
        return self._json_of(await self._send("POST", path, _POST_BINARY, body))
