"""Fault injection (admin route and behaviour), milestone timestamps and remote PoW."""

from __future__ import annotations

import httpx
import pytest

from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.faults import FaultSettings
from tanglehub.devnet.milestones import MAX_LEAD, next_timestamp, wait_before
from tanglehub.devnet.node import DevnetNode
from tanglehub.protocol.pow import pow_score

TAGGED = {"protocolVersion": 2, "payload": {"type": 5, "tag": "0x01"}}


async def test_fault_settings_roundtrip_and_validation(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/devnet/v1/faults", json={"latency": 0.01, "errorRate": 0.5})
    assert r.status_code == 200
    assert r.json()["latency"] == 0.01
    assert (await client.get("/api/devnet/v1/faults")).json()["errorRate"] == 0.5
    bad = await client.post("/api/devnet/v1/faults", json={"errorRate": 2})
    assert bad.status_code == 400
    assert "between 0 and 1" in bad.json()["error"]["message"]
    unknown = await client.post("/api/devnet/v1/faults", json={"explode": True})
    assert unknown.status_code == 400


async def test_error_rate_answers_503_but_admin_routes_stay_up(client: httpx.AsyncClient) -> None:
    await client.post("/api/devnet/v1/faults", json={"errorRate": 1.0})
    r = await client.get("/api/core/v2/info")
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "503"
    assert (await client.post("/api/devnet/v1/faults", json={"errorRate": 0.0})).status_code == 200
    assert (await client.get("/api/core/v2/info")).status_code == 200


async def test_dropped_connection_fails_the_request(client: httpx.AsyncClient) -> None:
    await client.post("/api/devnet/v1/faults", json={"dropRate": 1.0})
    with pytest.raises(ConnectionAbortedError):
        await client.get("/api/core/v2/info")


async def test_lost_blocks_get_an_id_but_never_appear(client: httpx.AsyncClient) -> None:
    await client.post("/api/devnet/v1/faults", json={"loseNextBlocks": 1})
    r = await client.post("/api/core/v2/blocks", json=TAGGED)
    assert r.status_code == 201
    lost = r.json()["blockId"]
    assert (await client.get(f"/api/core/v2/blocks/{lost}/metadata")).status_code == 404
    kept = (await client.post("/api/core/v2/blocks", json=TAGGED | {"nonce": "1"})).json()["blockId"]
    assert (await client.get(f"/api/core/v2/blocks/{kept}/metadata")).status_code == 200
    assert (await client.get("/api/devnet/v1/faults")).json()["loseNextBlocks"] == 0


async def test_held_block_must_be_reattached(client: httpx.AsyncClient) -> None:
    await client.post("/api/devnet/v1/faults", json={"holdNextBlocks": 1})
    held = (await client.post("/api/core/v2/blocks", json=TAGGED)).json()["blockId"]
    assert held not in (await client.get("/api/core/v2/tips")).json()["tips"]
    await client.post("/api/devnet/v1/milestones")
    meta = (await client.get(f"/api/core/v2/blocks/{held}/metadata")).json()
    assert "referencedByMilestoneIndex" not in meta
    assert meta["shouldReattach"] is True
    again = (await client.post("/api/core/v2/blocks", json=TAGGED | {"nonce": "2"})).json()["blockId"]
    await client.post("/api/devnet/v1/milestones")
    assert (await client.get(f"/api/core/v2/blocks/{again}/metadata")).json()[
        "ledgerInclusionState"
    ] == "noTransaction"


async def test_paused_milestones(client: httpx.AsyncClient, node: DevnetNode) -> None:
    await client.post("/api/devnet/v1/faults", json={"milestonesPaused": True})
    r = await client.post("/api/devnet/v1/milestones")
    assert r.status_code == 503
    assert node.latest_index == 0
    await client.post("/api/devnet/v1/faults", json={"milestonesPaused": False})
    assert (await client.post("/api/devnet/v1/milestones")).json()["index"] == 1


async def test_latency_is_applied(client: httpx.AsyncClient, node: DevnetNode) -> None:
    node.faults.replace(FaultSettings(latency=0.05))
    import time

    start = time.monotonic()
    await client.get("/health")
    assert time.monotonic() - start >= 0.05


def test_timestamps_follow_the_clock_and_strictly_increase() -> None:
    assert next_timestamp(100, 150.7) == 150
    assert next_timestamp(150, 150.2) == 151
    assert wait_before(150, 150.2) == 0.0
    assert wait_before(150 + MAX_LEAD, 150.2) == pytest.approx(0.8)


def test_many_manual_milestones_never_run_ahead_of_the_clock() -> None:
    now = [1_800_000_000.0]
    node = DevnetNode(DevnetConfig(milestone_interval=0), clock=lambda: now[0])
    stamps = []
    for _ in range(10):
        now[0] += wait_before(node.latest_timestamp, now[0])  # what the issuer sleeps
        node.issue_milestone()
        stamps.append(node.latest_timestamp)
        assert node.latest_timestamp - now[0] <= MAX_LEAD
    assert stamps == sorted(set(stamps))


async def test_remote_pow_fills_a_missing_nonce() -> None:
    node = DevnetNode(DevnetConfig(milestone_interval=0, min_pow_score=10))
    from tanglehub.devnet.app import create_app

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(node=node)), base_url="http://d"
    ) as c:
        r = await c.post("/api/core/v2/blocks", json={"protocolVersion": 2})
        assert r.status_code == 201
        block_id = bytes.fromhex(r.json()["blockId"][2:])
        assert pow_score(node.block(block_id).data) >= 10
        nonce = 1
        while True:
            weak = {"protocolVersion": 2, "parents": [r.json()["blockId"]], "nonce": str(nonce)}
            if pow_score(node.block_from_json(weak).to_bytes()) < 10:
                break
            nonce += 1
        bad = await c.post("/api/core/v2/blocks", json=weak)
        assert bad.status_code == 400
        assert "proof of work" in bad.json()["error"]["message"]
