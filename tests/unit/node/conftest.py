"""Shared fixtures for the node layer tests: realistic node JSON and a scriptable fake node."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

DATA = Path(__file__).parent / "data"

ADDRESS = "rms1qqdx35xj7tf9wgv5tnz3qzlgkdrsgce6x73kf0029sacfmxgf5gegttk4he"
TX_ID = "0xba2e05bbbe92897f58f9829e8d08bc139d2b85a9793227fb995b16be9f0c4e6a"
OUTPUT_ID = TX_ID + "0000"
BLOCK_ID = "0x3127cd73cf89a4732a40ce0a4bcc3b24102d9a206e9e793ed014d104d029ae7c"
MILESTONE_ID = "0xfbcf75c6424b8fbc4382a811136605297d32116b5e3fe127c8f00b46fca713fc"
NOW = 1_795_237_705

# The info object a Hornet 2.0 testnet node serves (as captured in the SDK traffic log).
INFO: dict[str, Any] = {
    "name": "HORNET",
    "version": "2.0.1",
    "status": {
        "isHealthy": True,
        "latestMilestone": {"index": 3000000, "timestamp": NOW, "milestoneId": MILESTONE_ID},
        "confirmedMilestone": {"index": 3000000, "timestamp": NOW, "milestoneId": MILESTONE_ID},
        "pruningIndex": 2999000,
    },
    "supportedProtocolVersions": [2],
    "protocol": {
        "version": 2,
        "networkName": "testnet",
        "bech32Hrp": "rms",
        "minPowScore": 0,
        "belowMaxDepth": 15,
        "rentStructure": {"vByteCost": 100, "vByteFactorData": 1, "vByteFactorKey": 10},
        "tokenSupply": "1450896407249092",
    },
    "pendingProtocolParameters": [],
    "baseToken": {
        "name": "Shimmer",
        "tickerSymbol": "SMR",
        "unit": "SMR",
        "subunit": "glow",
        "decimals": 6,
        "useMetricPrefix": False,
    },
    "metrics": {"blocksPerSecond": 9.8, "referencedBlocksPerSecond": 9.6, "referencedRate": 97.96},
    "features": [],
}

OUTPUT_RESPONSE: dict[str, Any] = {
    "metadata": {
        "blockId": BLOCK_ID,
        "transactionId": TX_ID,
        "outputIndex": 0,
        "isSpent": False,
        "milestoneIndexBooked": 3000000,
        "milestoneTimestampBooked": NOW,
        "ledgerIndex": 3000000,
    },
    "output": {
        "type": 3,
        "amount": "1000000000",
        "unlockConditions": [
            {
                "type": 0,
                "address": {
                    "type": 0,
                    "pubKeyHash": "0x1a68d0d2f2d25721945cc5100be8b34704633a37a364bdea2c3b84ecc84d1194",
                },
            }
        ],
    },
}


def info_json(**status: Any) -> dict[str, Any]:
    """A copy of INFO with ``status`` fields (and ``network``/``hrp``) replaced."""
    info = copy.deepcopy(INFO)
    network = status.pop("network", None)
    hrp = status.pop("hrp", None)
    if network is not None:
        info["protocol"]["networkName"] = network
    if hrp is not None:
        info["protocol"]["bech32Hrp"] = hrp
    timestamp = status.pop("timestamp", None)
    if timestamp is not None:
        info["status"]["latestMilestone"]["timestamp"] = timestamp
    confirmed = status.pop("confirmed", None)
    if confirmed is not None:
        info["status"]["confirmedMilestone"]["index"] = confirmed
    info["status"].update(status)
    return info


def sdk_blocks() -> list[dict[str, Any]]:
    """The five real testnet blocks from the SDK's test suite (tx, tx, tx, tagged data, milestone)."""
    data: list[dict[str, Any]] = json.loads((DATA / "sdk_block_dicts.json").read_text())
    return data


def error_body(status: int, message: str) -> dict[str, Any]:
    """The node's error JSON."""
    return {"error": {"code": str(status), "message": message}}


Handler = Callable[[httpx.Request], httpx.Response]


class FakeNode:
    """A scriptable node: ``routes[(method, path)]`` is a response, a status, or a callable."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Any] = {
            ("GET", "/health"): httpx.Response(200),
            ("GET", "/api/core/v2/info"): INFO,
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        entry = self.routes.get((request.method, request.url.path))
        if entry is None:
            return httpx.Response(404, json=error_body(404, "not found"))
        if callable(entry) and not isinstance(entry, httpx.Response):
            entry = entry(request)
        if isinstance(entry, BaseException):
            raise entry
        if isinstance(entry, httpx.Response):
            return entry
        return httpx.Response(200, json=entry)

    def transport(self) -> httpx.MockTransport:
        """An httpx transport serving this fake node."""
        return httpx.MockTransport(self)

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [r.url.path for r in self.requests]


@pytest.fixture
def fake() -> FakeNode:
    """A fresh fake node."""
    return FakeNode()


@pytest.fixture
def nd() -> Any:
    """This module: the shared constants and helpers above (``nd.INFO``, ``nd.info_json(...)``)."""
    import sys

    return sys.modules[__name__]
