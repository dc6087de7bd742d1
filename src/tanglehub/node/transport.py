"""The HTTP seam of the node client: error translation, status mapping and the request helpers.

:func:`translate_errors` is the one place where httpx exceptions become node errors;
:func:`raise_for_status` turns the node's ``{"error": {"code", "message"}}`` answers into
:class:`~tanglehub.node.errors.NodeNotFound`, :class:`~tanglehub.node.errors.NodeRejected` or
:class:`~tanglehub.node.errors.NodeUnavailable`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

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
    "QueryParams",
    "raise_for_status",
    "translate_errors",
]

BINARY_MEDIA_TYPE = "application/vnd.iota.serializer-v1"
"""Content type of TIP-21 binary bodies (``Accept`` for raw reads, ``Content-Type`` for raw blocks)."""
JSON_MEDIA_TYPE = "application/json"

QueryParams = Sequence[tuple[str, str]]
"""Ordered query parameters as the indexer query builder emits them."""

_MAX_NODE_MESSAGE = 300


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


def _node_message(response: httpx.Response) -> str | None:
    """The ``error.message`` of a node error body, or a short text excerpt, or None."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = response.text.strip() if response.content else ""
        return text[:_MAX_NODE_MESSAGE] or None
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and isinstance(error.get("message"), str):
            return str(error["message"])[:_MAX_NODE_MESSAGE]
    return None


def raise_for_status(response: httpx.Response) -> None:
    """Raise the node error matching a non-2xx ``response``; return quietly on success."""
    status = response.status_code
    if 200 <= status < 300:
        return
    what = f"{response.request.method} {response.request.url.path}"
    message = _node_message(response)
    suffix = f": {message}" if message else ""
    if status == 404:
        raise NodeNotFound(f"node has no such object ({what}){suffix}", status=status, node_message=message)
    if status >= 500:
        raise NodeUnavailable(f"node answered {status} to {what}{suffix}", status=status, node_message=message)
    raise NodeRejected(f"node rejected {what} with {status}{suffix}", status=status, node_message=message)


class HttpBase:
    """Owns the :class:`httpx.AsyncClient` and the four request shapes every route uses."""

    base_url: str
    _http: httpx.AsyncClient

    async def _send(self, request: httpx.Request) -> httpx.Response:
        with translate_errors(self.base_url):
            response = await self._http.send(request)
        raise_for_status(response)
        return response

    def _json_of(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise NodeBadResponse(
                f"node at {self.base_url} sent a body that is not JSON for {response.request.url.path}"
            ) from exc

    async def _get_json(self, path: str, params: QueryParams | None = None) -> Any:
        """GET ``path`` and return the decoded JSON body."""
        request = self._http.build_request(
            "GET", path, params=list(params) if params else None, headers={"Accept": JSON_MEDIA_TYPE}
        )
        return self._json_of(await self._send(request))

    async def _get_bytes(self, path: str) -> bytes:
        """GET ``path`` asking for the binary serialization."""
        request = self._http.build_request("GET", path, headers={"Accept": BINARY_MEDIA_TYPE})
        return (await self._send(request)).content

    async def _get_status(self, path: str) -> int:
        """GET ``path`` and return the status code (2xx or 503), mapping other failures."""
        request = self._http.build_request("GET", path)
        with translate_errors(self.base_url):
            response = await self._http.send(request)
        if response.status_code != 503:
            raise_for_status(response)
        return response.status_code

    async def _post_json(self, path: str, body: Any) -> Any:
        """POST a JSON ``body`` and return the decoded JSON answer."""
        request = self._http.build_request(
            "POST", path, json=body, headers={"Accept": JSON_MEDIA_TYPE, "Content-Type": JSON_MEDIA_TYPE}
        )
        return self._json_of(await self._send(request))

    async def _post_bytes(self, path: str, body: bytes) -> Any:
        """POST a binary ``body`` and return the decoded JSON answer."""
        request = self._http.build_request(
            "POST",
            path,
            content=body,
            headers={"Accept": JSON_MEDIA_TYPE, "Content-Type": BINARY_MEDIA_TYPE},
        )
        return self._json_of(await self._send(request))
