"""The core REST API v2 routes (TIP-25) of the devnet node, plus ``/health`` and ``/api/routes``."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tanglehub.devnet.errors import DevnetBadRequest, DevnetUnsupportedMedia
from tanglehub.devnet.http import BINARY, binary_response, hex_id, json_response, node_of, wants_binary
from tanglehub.devnet.tangle import BlockRecord

__all__ = ["core_routes"]

_BASE = "/api/core/v2"


async def health(request: Request) -> Response:
    """200 with an empty body while the node is healthy."""
    return Response(b"", status_code=200)


async def routes(request: Request) -> Response:
    """The route groups this node serves."""
    return json_response({"routes": ["core/v2", "indexer/v1", "faucet/v1", "devnet/v1"]})


async def info(request: Request) -> Response:
    """Node info: status, protocol parameters, base token, metrics, features."""
    return json_response(node_of(request).info())


async def tips(request: Request) -> Response:
    """Tips for a new block's parents."""
    return json_response({"tips": ["0x" + t.hex() for t in node_of(request).tips()]})


async def submit_block(request: Request) -> Response:
    """POST a block as JSON or as raw bytes; 201 with its id and a Location header."""
    node = node_of(request)
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    body = await request.body()
    if ctype in (BINARY, "application/octet-stream"):
        block = node.block_from_bytes(body)
    elif ctype in ("application/json", ""):
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise DevnetBadRequest("the request body is not valid JSON") from None
        block = node.block_from_json(parsed)
    else:
        raise DevnetUnsupportedMedia(f"unsupported content type {ctype!r}; use application/json or {BINARY}")
    block_id = "0x" + node.submit_block(block).hex()
    return json_response({"blockId": block_id}, 201, {"Location": f"{_BASE}/blocks/{block_id}"})


def _block_response(request: Request, rec: BlockRecord) -> Response:
    if wants_binary(request):
        return binary_response(rec.data)
    return json_response(rec.block.to_json())


async def get_block(request: Request) -> Response:
    """A block as JSON (or raw bytes)."""
    return _block_response(request, node_of(request).block(hex_id(request, "block_id", 32, "block id")))


async def block_metadata(request: Request) -> Response:
    """A block's metadata."""
    return json_response(node_of(request).block_metadata(hex_id(request, "block_id", 32, "block id")))


async def get_output(request: Request) -> Response:
    """An output with its metadata (raw bytes: the output only)."""
    node = node_of(request)
    rec = node.output(hex_id(request, "output_id", 34, "output id"))
    if wants_binary(request):
        return binary_response(rec.output.to_bytes())
    return json_response({"metadata": rec.metadata_json(node.ledger.ledger_index), "output": rec.output.to_json()})


async def output_metadata(request: Request) -> Response:
    """An output's metadata."""
    node = node_of(request)
    rec = node.output(hex_id(request, "output_id", 34, "output id"))
    return json_response(rec.metadata_json(node.ledger.ledger_index))


async def included_block(request: Request) -> Response:
    """The block that applied a transaction."""
    rec = node_of(request).included_block(hex_id(request, "transaction_id", 32, "transaction id"))
    return _block_response(request, rec)


async def included_block_metadata(request: Request) -> Response:
    """Metadata of the block that applied a transaction."""
    node = node_of(request)
    rec = node.included_block(hex_id(request, "transaction_id", 32, "transaction id"))
    return json_response(node.block_metadata(rec.block_id))


def _index_param(request: Request) -> int:
    text = str(request.path_params["index"])
    if not text.isdigit() or int(text) > 2**32 - 1:
        raise DevnetBadRequest(f"invalid milestone index {text!r}")
    return int(text)


def _milestone_response(request: Request, index: int) -> Response:
    payload, _ = node_of(request).milestone(index)
    if wants_binary(request):
        return binary_response(payload.to_bytes())
    return json_response(payload.to_json())


async def milestone_by_id(request: Request) -> Response:
    """A milestone payload by id."""
    index = node_of(request).milestone_index_of(hex_id(request, "milestone_id", 32, "milestone id"))
    return _milestone_response(request, index)


async def milestone_by_index(request: Request) -> Response:
    """A milestone payload by index."""
    return _milestone_response(request, _index_param(request))


async def utxo_changes_by_id(request: Request) -> Response:
    """Outputs created and consumed by a milestone (by id)."""
    node = node_of(request)
    return json_response(
        node.utxo_changes(node.milestone_index_of(hex_id(request, "milestone_id", 32, "milestone id")))
    )


async def utxo_changes_by_index(request: Request) -> Response:
    """Outputs created and consumed by a milestone (by index)."""
    return json_response(node_of(request).utxo_changes(_index_param(request)))


async def receipts(request: Request) -> Response:
    """Migration receipts: a devnet has none."""
    return json_response({"receipts": []})


async def treasury(request: Request) -> Response:
    """The treasury: empty on a devnet."""
    return json_response({"milestoneId": "0x" + bytes(32).hex(), "amount": "0"})


async def peers(request: Request) -> Response:
    """Peers: a devnet has none."""
    return json_response([])


def core_routes() -> list[Route]:
    """Every core API route."""
    return [
        Route("/health", health),
        Route("/api/routes", routes),
        Route(f"{_BASE}/info", info),
        Route(f"{_BASE}/tips", tips),
        Route(f"{_BASE}/blocks", submit_block, methods=["POST"]),
        Route(f"{_BASE}/blocks/{{block_id}}", get_block),
        Route(f"{_BASE}/blocks/{{block_id}}/metadata", block_metadata),
        Route(f"{_BASE}/outputs/{{output_id}}", get_output),
        Route(f"{_BASE}/outputs/{{output_id}}/metadata", output_metadata),
        Route(f"{_BASE}/transactions/{{transaction_id}}/included-block", included_block),
        Route(f"{_BASE}/transactions/{{transaction_id}}/included-block/metadata", included_block_metadata),
        Route(f"{_BASE}/milestones/by-index/{{index}}", milestone_by_index),
        Route(f"{_BASE}/milestones/by-index/{{index}}/utxo-changes", utxo_changes_by_index),
        Route(f"{_BASE}/milestones/{{milestone_id}}", milestone_by_id),
        Route(f"{_BASE}/milestones/{{milestone_id}}/utxo-changes", utxo_changes_by_id),
        Route(f"{_BASE}/receipts", receipts),
        Route(f"{_BASE}/receipts/{{migrated_at}}", receipts),
        Route(f"{_BASE}/treasury", treasury),
        Route(f"{_BASE}/peers", peers),
    ]
