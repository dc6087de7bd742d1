"""The indexer API v1 routes (TIP-26): list queries with every filter, and the by-id chain lookups."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tanglehub.devnet.http import hex_id, json_response, node_of
from tanglehub.devnet.index_entry import KIND_ALIAS, KIND_BASIC, KIND_FOUNDRY, KIND_NFT

__all__ = ["indexer_routes"]

_BASE = "/api/indexer/v1/outputs"


def _lister(kind: int | None):  # type: ignore[no-untyped-def]
    async def handler(request: Request) -> Response:
        node = node_of(request)
        return json_response(node.index_query(kind, dict(request.query_params)))

    handler.__doc__ = "One indexer list query."
    return handler


def _by_id(kind: int, param: str, length: int, what: str):  # type: ignore[no-untyped-def]
    async def handler(request: Request) -> Response:
        node = node_of(request)
        chain_id = hex_id(request, param, length, what)
        page = node.indexer.chain_output(kind, chain_id, node.ledger.ledger_index)
        return json_response(page.to_json())

    handler.__doc__ = "The unspent output of one chain id."
    return handler


def indexer_routes() -> list[Route]:
    """Every indexer route."""
    return [
        Route(_BASE, _lister(None)),
        Route(f"{_BASE}/basic", _lister(KIND_BASIC)),
        Route(f"{_BASE}/alias", _lister(KIND_ALIAS)),
        Route(f"{_BASE}/alias/{{alias_id}}", _by_id(KIND_ALIAS, "alias_id", 32, "alias id")),
        Route(f"{_BASE}/foundry", _lister(KIND_FOUNDRY)),
        Route(f"{_BASE}/foundry/{{foundry_id}}", _by_id(KIND_FOUNDRY, "foundry_id", 38, "foundry id")),
        Route(f"{_BASE}/nft", _lister(KIND_NFT)),
        Route(f"{_BASE}/nft/{{nft_id}}", _by_id(KIND_NFT, "nft_id", 32, "NFT id")),
    ]
