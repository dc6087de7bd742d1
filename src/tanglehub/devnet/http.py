"""HTTP helpers shared by the devnet routes: the node's error JSON, ids from paths, content negotiation."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tanglehub.devnet.errors import DevnetBadRequest
from tanglehub.devnet.node import DevnetNode

__all__ = ["BINARY", "error_response", "hex_id", "json_response", "node_of", "wants_binary"]

BINARY = "application/vnd.iota.serializer-v1"
"""The node API's media type for raw TIP-21 bytes."""


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A compact JSON response."""
    return Response(
        json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json", headers=headers
    )


def error_response(status: int, message: str) -> Response:
    """The node's error JSON: ``{"error": {"code": "<status>", "message": ...}}``."""
    return json_response({"error": {"code": str(status), "message": message}}, status)


def wants_binary(request: Request) -> bool:
    """True when the client asked for raw bytes (``Accept: application/vnd.iota.serializer-v1``)."""
    return BINARY in request.headers.get("accept", "")


def binary_response(data: bytes) -> Response:
    """Raw TIP-21 bytes."""
    return Response(data, media_type=BINARY)


def hex_id(request: Request, name: str, length: int, what: str) -> bytes:
    """A ``0x`` hex id of ``length`` bytes from the path (400 when malformed)."""
    text = str(request.path_params[name])
    if not text.startswith("0x") or len(text) != 2 + 2 * length:
        raise DevnetBadRequest(f"invalid {what} {text!r}: expected 0x followed by {2 * length} hex digits")
    try:
        return bytes.fromhex(text[2:])
    except ValueError:
        raise DevnetBadRequest(f"invalid {what} {text!r}: not hex") from None


def node_of(request: Request) -> DevnetNode:
    """The devnet node this app serves."""
    node: DevnetNode = request.app.state.node
    return node
