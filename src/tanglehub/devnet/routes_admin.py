"""Devnet-only routes: the faucet (node faucet plugin style) and the admin API (milestones, faults).

* ``POST /api/plugins/faucet/v1/enqueue`` ``{"address": "<bech32>"}`` -> ``202``
  ``{"address", "waitingRequests": 0, "blockId"}`` (``blockId`` is a devnet extension).
* ``GET /api/devnet/v1/faucet`` -> the faucet's address and confirmed balance.
* ``POST /api/devnet/v1/milestones`` -> issue the next milestone now: ``{"index", "milestoneId", "timestamp"}``
  (``503`` while milestones are paused).
* ``GET /api/devnet/v1/faults`` / ``POST`` (a partial JSON object of switches) -> the current fault settings.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tanglehub.devnet.errors import DevnetBadRequest
from tanglehub.devnet.http import json_response, node_of
from tanglehub.devnet.issuer import issue_now

__all__ = ["admin_routes"]


async def _json_body(request: Request) -> object:
    body = await request.body()
    if not body:
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise DevnetBadRequest("the request body is not valid JSON") from None


async def faucet_enqueue(request: Request) -> Response:
    """Pay the configured faucet amount to the posted bech32 address."""
    node = node_of(request)
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise DevnetBadRequest("the faucet request must be a JSON object with an 'address'")
    address = node.faucet.parse_address(body.get("address"))
    block_id = node.faucet.pay(address)
    return json_response(
        {
            "address": address.to_bech32(node.params.bech32_hrp),
            "waitingRequests": 0,
            "blockId": "0x" + block_id.hex(),
        },
        202,
    )


async def faucet_info(request: Request) -> Response:
    """The faucet's address and confirmed balance."""
    node = node_of(request)
    key = bytes(node.faucet.address.to_bytes())
    balance = 0
    for oid in node.indexer.oids_for_address(key):
        rec = node.ledger.get(oid)
        if rec is not None:
            balance += rec.output.amount
    return json_response(
        {"address": node.faucet.address.to_bech32(node.params.bech32_hrp), "balance": str(balance)}
    )


async def milestones(request: Request) -> Response:
    """Issue the next milestone now."""
    node = node_of(request)
    index = await issue_now(request.app)
    ts, mid, _ = node.milestones[index]
    return json_response({"index": index, "milestoneId": "0x" + mid.hex(), "timestamp": ts})


async def faults(request: Request) -> Response:
    """Read or change the fault switches."""
    node = node_of(request)
    if request.method == "POST":
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise DevnetBadRequest("fault settings must be a JSON object")
        node.faults.replace(node.faults.settings.updated(body))
    return json_response(node.faults.settings.to_json())


def admin_routes() -> list[Route]:
    """The faucet and admin routes."""
    return [
        Route("/api/plugins/faucet/v1/enqueue", faucet_enqueue, methods=["POST"]),
        Route("/api/devnet/v1/faucet", faucet_info),
        Route("/api/devnet/v1/milestones", milestones, methods=["POST"]),
        Route("/api/devnet/v1/faults", faults, methods=["GET", "POST"]),
    ]
