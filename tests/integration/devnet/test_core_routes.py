"""The core API v2 routes: shapes, content negotiation, error JSON and status codes."""

from __future__ import annotations

import httpx
import pytest

from tanglehub.devnet.node import DevnetNode
from tanglehub.protocol.block import Block
from tanglehub.protocol.ids import blake2b256
from tanglehub.protocol.payload import TaggedDataPayload

BINARY = "application/vnd.iota.serializer-v1"


async def test_info_has_every_field_the_sdk_requires(client: httpx.AsyncClient) -> None:
    info = (await client.get("/api/core/v2/info")).json()
    assert info["status"]["isHealthy"] is True
    assert {"latestMilestone", "confirmedMilestone", "pruningIndex"} <= info["status"].keys()
    proto = info["protocol"]
    assert proto["bech32Hrp"] == "tst"
    assert isinstance(proto["tokenSupply"], str)
    assert isinstance(proto["minPowScore"], int)
    assert info["pendingProtocolParameters"] == []
    assert {"name", "tickerSymbol", "unit", "decimals", "useMetricPrefix"} <= info["baseToken"].keys()
    assert {"blocksPerSecond", "referencedBlocksPerSecond", "referencedRate"} == info["metrics"].keys()
    assert "features" in info


async def test_health_and_routes(client: httpx.AsyncClient) -> None:
    r = await client.get("/health")
    assert (r.status_code, r.content) == (200, b"")
    assert "core/v2" in (await client.get("/api/routes")).json()["routes"]


async def test_tagged_data_block_json_roundtrip_and_metadata(client: httpx.AsyncClient, node: DevnetNode) -> None:
    body = {"protocolVersion": 2, "payload": {"type": 5, "tag": "0x6869", "data": "0x01"}}
    r = await client.post("/api/core/v2/blocks", json=body)
    assert r.status_code == 201
    block_id = r.json()["blockId"]
    assert r.headers["location"].endswith(block_id)
    got = (await client.get(f"/api/core/v2/blocks/{block_id}")).json()
    assert got["payload"] == {"type": 5, "tag": "0x6869", "data": "0x01"}
    assert got["nonce"] == "0"
    raw = (await client.get(f"/api/core/v2/blocks/{block_id}", headers={"accept": BINARY})).content
    assert "0x" + blake2b256(raw).hex() == block_id
    meta = (await client.get(f"/api/core/v2/blocks/{block_id}/metadata")).json()
    assert meta["isSolid"] is True
    assert "referencedByMilestoneIndex" not in meta
    assert meta["shouldPromote"] is False
    assert meta["shouldReattach"] is False
    index = (await client.post("/api/devnet/v1/milestones")).json()["index"]
    meta = (await client.get(f"/api/core/v2/blocks/{block_id}/metadata")).json()
    assert meta["referencedByMilestoneIndex"] == index
    assert meta["ledgerInclusionState"] == "noTransaction"
    assert "shouldReattach" not in meta


async def test_binary_block_submission(client: httpx.AsyncClient, node: DevnetNode) -> None:
    block = Block(2, tuple(node.tips()), TaggedDataPayload(b"bin", b"\x02"), 7)
    r = await client.post("/api/core/v2/blocks", content=block.to_bytes(), headers={"content-type": BINARY})
    assert r.status_code == 201
    assert r.json()["blockId"] == "0x" + block.block_id().hex()


async def test_milestone_routes_and_utxo_changes(client: httpx.AsyncClient, node: DevnetNode) -> None:
    first = (await client.post("/api/devnet/v1/milestones")).json()
    second = (await client.post("/api/devnet/v1/milestones")).json()
    assert second["index"] == first["index"] + 1
    assert second["timestamp"] > first["timestamp"]
    ms = (await client.get(f"/api/core/v2/milestones/by-index/{second['index']}")).json()
    assert ms["type"] == 7
    assert ms["previousMilestoneId"] == first["milestoneId"]
    by_id = (await client.get(f"/api/core/v2/milestones/{second['milestoneId']}")).json()
    assert by_id == ms
    raw = (
        await client.get(f"/api/core/v2/milestones/{second['milestoneId']}", headers={"accept": BINARY})
    ).content
    assert raw[:4] == b"\x07\x00\x00\x00"
    changes = (await client.get(f"/api/core/v2/milestones/by-index/{first['index']}/utxo-changes")).json()
    assert changes == {"index": first["index"], "createdOutputs": [], "consumedOutputs": []}


async def test_milestone_is_signed_by_the_coordinator(client: httpx.AsyncClient, node: DevnetNode) -> None:
    from tanglehub.keys.ed25519 import verify

    await client.post("/api/devnet/v1/milestones")
    payload, _ = node.milestone(1)
    sig = payload.signatures[0]
    assert sig.public_key == node.keys.coordinator_public
    assert verify(sig.public_key, payload.essence_hash(), sig.signature)


async def test_faucet_output_shapes(client: httpx.AsyncClient, node: DevnetNode, actor) -> None:  # type: ignore[no-untyped-def]
    bob = actor(1)
    r = await client.post("/api/plugins/faucet/v1/enqueue", json={"address": bob.bech32})
    assert r.status_code == 202
    assert r.json()["address"] == bob.bech32
    await client.post("/api/devnet/v1/milestones")
    oid = (await client.get("/api/indexer/v1/outputs", params={"unlockableByAddress": bob.bech32})).json()[
        "items"
    ][0]
    out = (await client.get(f"/api/core/v2/outputs/{oid}")).json()
    assert out["output"]["amount"] == str(node.config.faucet_amount)
    meta = out["metadata"]
    assert meta["transactionId"] == oid[:66]
    assert meta["outputIndex"] == 0
    assert meta["isSpent"] is False
    assert "milestoneIndexSpent" not in meta
    assert (await client.get(f"/api/core/v2/outputs/{oid}/metadata")).json() == meta
    tx = (await client.get(f"/api/core/v2/transactions/{meta['transactionId']}/included-block")).json()
    assert tx["payload"]["type"] == 6
    inc_meta = (
        await client.get(f"/api/core/v2/transactions/{meta['transactionId']}/included-block/metadata")
    ).json()
    assert inc_meta["ledgerInclusionState"] == "included"
    # the genesis output is now spent, with spent metadata
    genesis = (await client.get("/api/core/v2/outputs/0x" + "00" * 34 + "/metadata")).json()
    assert genesis["isSpent"] is True
    assert genesis["transactionIdSpent"] == meta["transactionId"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/core/v2/blocks/0x1234", {}, 400),
        ("get", "/api/core/v2/blocks/0x" + "ab" * 32, {}, 404),
        ("get", "/api/core/v2/outputs/0x" + "ab" * 34, {}, 404),
        ("get", "/api/core/v2/milestones/by-index/99", {}, 404),
        ("get", "/api/core/v2/milestones/by-index/x", {}, 400),
        ("get", "/api/core/v2/transactions/0x" + "ab" * 32 + "/included-block", {}, 404),
        ("get", "/api/core/v2/no-such-route", {}, 404),
        ("post", "/api/core/v2/blocks", {"content": b"{", "headers": {"content-type": "application/json"}}, 400),
        ("post", "/api/core/v2/blocks", {"content": b"\x02\x00", "headers": {"content-type": BINARY}}, 400),
        ("post", "/api/core/v2/blocks", {"content": b"x", "headers": {"content-type": "text/plain"}}, 415),
        ("post", "/api/core/v2/blocks", {"json": {"protocolVersion": 3}}, 400),
        (
            "post",
            "/api/plugins/faucet/v1/enqueue",
            {"json": {"address": "rms1qqdx35xj7tf9wgv5tnz3qzlgkdrsgce6x73kf0029sacfmxgf5gegttk4he"}},
            400,
        ),
        ("post", "/api/plugins/faucet/v1/enqueue", {"json": {}}, 400),
        ("get", "/api/indexer/v1/outputs/basic?hasTimelock=maybe", {}, 400),
        ("get", "/api/indexer/v1/outputs/basic?address=tst1nope", {}, 400),
        ("get", "/api/indexer/v1/outputs/alias/0x" + "ab" * 32, {}, 404),
    ],
)
async def test_errors_use_the_node_error_json(
    client: httpx.AsyncClient, method: str, path: str, kwargs, status: int
) -> None:  # type: ignore[no-untyped-def]
    r = await getattr(client, method)(path, **kwargs)
    assert r.status_code == status
    err = r.json()["error"]
    assert err["code"] == str(status)
    assert err["message"]


async def test_wrong_network_transaction_is_rejected_with_a_clear_message(
    client: httpx.AsyncClient, node: DevnetNode, actor
) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    alice = actor(0)
    payload = alice.transaction(
        [bytes(34)], [alice.simple(node.params.token_supply)], signer=node.keys.faucet_private
    )
    bad = dataclasses.replace(payload, essence=dataclasses.replace(payload.essence, network_id=1))
    r = await client.post("/api/core/v2/blocks", json=alice.block(bad).to_json())
    assert r.status_code == 400
    assert "network" in r.json()["error"]["message"].lower()
