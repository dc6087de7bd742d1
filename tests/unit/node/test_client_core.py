"""NodeClient core routes: paths, methods, headers and parsing of realistic node answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tanglehub.node import (
    LedgerInclusionState,
    NodeArgumentError,
    NodeBadResponse,
    NodeClient,
)
from tanglehub.protocol.block import Block
from tanglehub.protocol.output import BasicOutput
from tanglehub.protocol.payload import MilestonePayload, TaggedDataPayload

BIN = "application/vnd.iota.serializer-v1"


def client(fake: Any) -> NodeClient:
    return NodeClient("http://node.test:14265/", transport=fake.transport())


async def test_info_parses_the_hornet_answer(fake: Any, nd: Any) -> None:
    info = await client(fake).get_info()
    assert fake.requests[0].method == "GET"
    assert fake.requests[0].url == "http://node.test:14265/api/core/v2/info"
    assert fake.requests[0].headers["accept"] == "application/json"
    assert fake.requests[0].headers["user-agent"].startswith("tanglehub/")
    assert (info.name, info.network_name, info.bech32_hrp) == ("HORNET", "testnet", "rms")
    assert info.token_supply == 1450896407249092
    assert info.status.is_healthy
    assert info.status.confirmed_milestone.index == 3000000
    assert info.status.latest_milestone.milestone_id == bytes.fromhex(nd.MILESTONE_ID[2:])
    assert info.status.pruning_index == 2999000
    assert info.base_token.subunit == "glow"
    assert info.base_token.decimals == 6
    assert info.metrics.referenced_rate == pytest.approx(97.96)
    assert info.supported_protocol_versions == (2,)
    assert info.protocol["rentStructure"]["vByteCost"] == 100
    params = info.protocol_parameters()
    assert params.network_id == 8342982141227064571  # the SDK's id of "testnet"
    assert params.rent_structure.v_byte_factor_key == 10


async def test_info_without_optional_milestone_fields(fake: Any, nd: Any) -> None:
    info = nd.info_json()
    info["status"]["latestMilestone"] = {"index": 0}
    fake.routes[("GET", "/api/core/v2/info")] = info
    parsed = await client(fake).get_info()
    assert parsed.status.latest_milestone.timestamp is None
    assert parsed.status.latest_milestone.milestone_id is None


async def test_info_with_a_malformed_token_supply_is_a_bad_response(fake: Any, nd: Any) -> None:
    info = nd.info_json()
    info["protocol"]["tokenSupply"] = "lots"
    fake.routes[("GET", "/api/core/v2/info")] = info
    with pytest.raises(NodeBadResponse, match=r"protocol\.tokenSupply"):
        await client(fake).get_info()


async def test_health_is_true_on_200_and_false_on_503(fake: Any) -> None:
    node = client(fake)
    assert await node.get_health() is True
    fake.routes[("GET", "/health")] = httpx.Response(503)
    assert await node.get_health() is False


async def test_routes_and_tips(fake: Any) -> None:
    tips = ["0x" + "11" * 32, "0x" + "22" * 32]
    fake.routes[("GET", "/api/routes")] = {"routes": ["core/v2", "indexer/v1", "mqtt/v1"]}
    fake.routes[("GET", "/api/core/v2/tips")] = {"tips": tips}
    node = client(fake)
    assert await node.get_routes() == ("core/v2", "indexer/v1", "mqtt/v1")
    assert await node.get_tips() == (b"\x11" * 32, b"\x22" * 32)


async def test_post_block_sends_json_and_returns_the_node_block_id(fake: Any) -> None:
    block = Block(2, (b"\x01" * 32, b"\x02" * 32), TaggedDataPayload(b"tag", b"data"), 0)
    fake.routes[("POST", "/api/core/v2/blocks")] = httpx.Response(201, json={"blockId": "0x" + "ab" * 32})
    block_id = await client(fake).post_block(block)
    request = fake.requests[0]
    assert block_id == b"\xab" * 32
    assert request.headers["content-type"] == "application/json"
    sent = json.loads(request.content)
    assert sent == block.to_json()
    assert sent["nonce"] == "0"


async def test_post_block_raw_sends_the_binary_media_type(fake: Any, nd: Any) -> None:
    raw = Block.from_json(nd.sdk_blocks()[3]).to_bytes()
    fake.routes[("POST", "/api/core/v2/blocks")] = httpx.Response(201, json={"blockId": "0x" + "cd" * 32})
    assert await client(fake).post_block_raw(raw) == b"\xcd" * 32
    assert fake.requests[0].headers["content-type"] == BIN
    assert fake.requests[0].content == raw


async def test_post_block_refuses_non_blocks_without_a_request(fake: Any) -> None:
    node = client(fake)
    with pytest.raises(NodeArgumentError):
        await node.post_block(b"raw bytes")  # type: ignore[arg-type]
    with pytest.raises(NodeArgumentError):
        await node.post_block_raw(b"")
    assert fake.requests == []


@pytest.mark.parametrize("index", range(5))
async def test_get_block_parses_real_testnet_blocks(fake: Any, nd: Any, index: int) -> None:
    block_json = nd.sdk_blocks()[index]
    expected = Block.from_json(block_json)
    block_id = expected.block_id()
    fake.routes[("GET", f"/api/core/v2/blocks/0x{block_id.hex()}")] = block_json
    block = await client(fake).get_block(block_id)
    assert block == expected
    assert block.block_id() == block_id


async def test_get_block_raw_asks_for_bytes(fake: Any, nd: Any) -> None:
    block = Block.from_json(nd.sdk_blocks()[0])
    raw = block.to_bytes()
    path = f"/api/core/v2/blocks/0x{block.block_id().hex()}"
    fake.routes[("GET", path)] = httpx.Response(200, content=raw, headers={"content-type": BIN})
    assert await client(fake).get_block_raw(block.block_id()) == raw
    assert fake.requests[0].headers["accept"] == BIN
    assert Block.from_bytes(raw) == block


async def test_block_metadata_states(fake: Any, nd: Any) -> None:
    bid = "0x" + "aa" * 32
    path = f"/api/core/v2/blocks/{bid}/metadata"
    node = client(fake)
    fake.routes[("GET", path)] = {"blockId": bid, "parents": ["0x" + "bb" * 32], "isSolid": False}
    pending = await node.get_block_metadata(bid)
    assert not pending.is_referenced
    assert pending.ledger_inclusion_state is None
    fake.routes[("GET", path)] = {
        "blockId": bid,
        "parents": ["0x" + "bb" * 32],
        "isSolid": True,
        "referencedByMilestoneIndex": 7,
        "ledgerInclusionState": "conflicting",
        "conflictReason": 1,
        "whiteFlagIndex": 3,
    }
    done = await node.get_block_metadata(bytes.fromhex("aa" * 32))
    assert done.is_referenced
    assert done.ledger_inclusion_state is LedgerInclusionState.CONFLICTING
    assert (done.conflict_reason, done.white_flag_index) == (1, 3)
    fake.routes[("GET", path)] = {
        "blockId": bid,
        "parents": [],
        "isSolid": True,
        "shouldPromote": True,
        "shouldReattach": False,
    }
    hint = await node.get_block_metadata(bid)
    assert (hint.should_promote, hint.should_reattach) == (True, False)
    fake.routes[("GET", path)] = {
        "blockId": bid,
        "parents": [],
        "isSolid": True,
        "ledgerInclusionState": "Included",
    }
    with pytest.raises(NodeBadResponse, match="ledgerInclusionState"):
        await node.get_block_metadata(bid)


async def test_get_output_returns_protocol_output_and_metadata(fake: Any, nd: Any) -> None:
    fake.routes[("GET", f"/api/core/v2/outputs/{nd.OUTPUT_ID}")] = nd.OUTPUT_RESPONSE
    response = await client(fake).get_output(nd.OUTPUT_ID)
    assert isinstance(response.output, BasicOutput)
    assert response.output.amount == 1_000_000_000
    assert response.output_id == bytes.fromhex(nd.OUTPUT_ID[2:])
    assert response.metadata.milestone_timestamp_booked == nd.NOW
    assert not response.metadata.is_spent


async def test_get_output_with_metadata_of_another_output_is_refused(fake: Any, nd: Any) -> None:
    other = nd.TX_ID + "0100"
    fake.routes[("GET", f"/api/core/v2/outputs/{other}")] = nd.OUTPUT_RESPONSE
    with pytest.raises(NodeBadResponse, match="metadata of"):
        await client(fake).get_output(other)


async def test_get_output_with_unknown_output_type_is_refused(fake: Any, nd: Any) -> None:
    body = json.loads(json.dumps(nd.OUTPUT_RESPONSE))
    body["output"]["type"] = 99
    fake.routes[("GET", f"/api/core/v2/outputs/{nd.OUTPUT_ID}")] = body
    with pytest.raises(NodeBadResponse, match="invalid output"):
        await client(fake).get_output(nd.OUTPUT_ID)


async def test_output_raw_and_spent_metadata(fake: Any, nd: Any) -> None:
    fake.routes[("GET", f"/api/core/v2/outputs/{nd.OUTPUT_ID}")] = httpx.Response(200, content=b"\x03abc")
    spent = dict(nd.OUTPUT_RESPONSE["metadata"])
    spent.update(isSpent=True, milestoneIndexSpent=3000005, milestoneTimestampSpent=nd.NOW + 25)
    spent["transactionIdSpent"] = "0x" + "cc" * 32
    fake.routes[("GET", f"/api/core/v2/outputs/{nd.OUTPUT_ID}/metadata")] = spent
    node = client(fake)
    assert await node.get_output_raw(nd.OUTPUT_ID) == b"\x03abc"
    assert fake.requests[0].headers["accept"] == BIN
    meta = await node.get_output_metadata(bytes.fromhex(nd.OUTPUT_ID[2:]))
    assert meta.is_spent
    assert meta.transaction_id_spent == b"\xcc" * 32
    assert meta.milestone_index_spent == 3000005


async def test_included_block_routes(fake: Any, nd: Any) -> None:
    block_json = nd.sdk_blocks()[0]
    tx = "0x" + "0c" * 32
    fake.routes[("GET", f"/api/core/v2/transactions/{tx}/included-block")] = block_json
    fake.routes[("GET", f"/api/core/v2/transactions/{tx}/included-block/metadata")] = {
        "blockId": "0x" + "aa" * 32,
        "parents": [],
        "isSolid": True,
        "referencedByMilestoneIndex": 9,
        "ledgerInclusionState": "included",
    }
    node = client(fake)
    assert await node.get_included_block(tx) == Block.from_json(block_json)
    meta = await node.get_included_block_metadata(tx)
    assert meta.ledger_inclusion_state is LedgerInclusionState.INCLUDED
    fake.routes[("GET", f"/api/core/v2/transactions/{tx}/included-block")] = httpx.Response(200, content=b"\x02")
    assert await node.get_included_block_raw(tx) == b"\x02"
    assert fake.requests[-1].headers["accept"] == BIN
    assert fake.paths() == [
        f"/api/core/v2/transactions/{tx}/included-block",
        f"/api/core/v2/transactions/{tx}/included-block/metadata",
        f"/api/core/v2/transactions/{tx}/included-block",
    ]


async def test_milestone_routes(fake: Any, nd: Any) -> None:
    ms_json = nd.sdk_blocks()[4]["payload"]
    expected = MilestonePayload.from_json(ms_json)
    mid = "0x" + expected.milestone_id().hex()
    fake.routes[("GET", f"/api/core/v2/milestones/{mid}")] = ms_json
    fake.routes[("GET", "/api/core/v2/milestones/by-index/6242784")] = ms_json
    node = client(fake)
    assert await node.get_milestone_by_id(mid) == expected
    assert await node.get_milestone_by_index(6242784) == expected
    summary = await node.get_milestone_info_by_index(6242784)
    assert (summary.index, summary.timestamp) == (6242784, 1689751322)
    fake.routes[("GET", "/api/core/v2/milestones/by-index/5")] = ms_json
    with pytest.raises(NodeBadResponse, match="with milestone 6242784"):
        await node.get_milestone_info_by_index(5)


async def test_milestone_raw_routes_ask_for_bytes(fake: Any) -> None:
    mid = "0x" + "ee" * 32
    fake.routes[("GET", f"/api/core/v2/milestones/{mid}")] = httpx.Response(200, content=b"\x07")
    fake.routes[("GET", "/api/core/v2/milestones/by-index/3")] = httpx.Response(200, content=b"\x08")
    node = client(fake)
    assert await node.get_milestone_by_id_raw(mid) == b"\x07"
    assert await node.get_milestone_by_index_raw(3) == b"\x08"
    assert {r.headers["accept"] for r in fake.requests} == {BIN}


async def test_utxo_changes(fake: Any, nd: Any) -> None:
    body = {"index": 12, "createdOutputs": [nd.OUTPUT_ID], "consumedOutputs": []}
    mid = "0x" + "ee" * 32
    fake.routes[("GET", "/api/core/v2/milestones/by-index/12/utxo-changes")] = body
    fake.routes[("GET", f"/api/core/v2/milestones/{mid}/utxo-changes")] = body
    node = client(fake)
    changes = await node.get_utxo_changes_by_index(12)
    assert changes.created_outputs == (bytes.fromhex(nd.OUTPUT_ID[2:]),)
    assert changes.consumed_outputs == ()
    assert await node.get_utxo_changes_by_id(mid) == changes
    fake.routes[("GET", "/api/core/v2/milestones/by-index/13/utxo-changes")] = body
    with pytest.raises(NodeBadResponse, match="those of 12"):
        await node.get_utxo_changes_by_index(13)


async def test_receipts_and_treasury(fake: Any) -> None:
    receipt = {"type": 0, "migratedAt": 5, "final": True, "funds": []}
    fake.routes[("GET", "/api/core/v2/receipts")] = {"receipts": [{"receipt": receipt, "milestoneIndex": 6}]}
    fake.routes[("GET", "/api/core/v2/receipts/5")] = {"receipts": []}
    fake.routes[("GET", "/api/core/v2/treasury")] = {"milestoneId": "0x" + "12" * 32, "amount": "1234"}
    node = client(fake)
    receipts = await node.get_receipts()
    assert receipts[0].milestone_index == 6
    assert receipts[0].receipt["migratedAt"] == 5
    assert await node.get_receipts(5) == ()
    treasury = await node.get_treasury()
    assert (treasury.milestone_id, treasury.amount) == (b"\x12" * 32, 1234)


async def test_faucet_enqueue(fake: Any, nd: Any) -> None:
    fake.routes[("POST", "/api/plugins/faucet/v1/enqueue")] = httpx.Response(
        202, json={"address": nd.ADDRESS, "waitingRequests": 1}
    )
    answer = await client(fake).request_faucet_funds(nd.ADDRESS)
    assert answer.waiting_requests == 1
    assert json.loads(fake.requests[0].content) == {"address": nd.ADDRESS}
    with pytest.raises(NodeArgumentError, match="bech32"):
        await client(fake).request_faucet_funds(nd.ADDRESS[:-1] + "x")
    assert len(fake.requests) == 1


async def test_auth_and_extra_headers_are_sent(fake: Any) -> None:
    node = NodeClient("http://node.test", transport=fake.transport(), auth="jwt-token", headers={"X-Trace": "abc"})
    async with node:
        await node.get_info()
    assert fake.requests[0].headers["authorization"] == "Bearer jwt-token"
    assert fake.requests[0].headers["x-trace"] == "abc"


@pytest.mark.parametrize(
    "bad",
    ["", "0x", "ab" * 32, "0x" + "ab" * 31, "0x" + "zz" * 32, "0x" + "ab" * 33, b"\x00" * 31, 5],
)
async def test_malformed_ids_are_refused_before_any_request(fake: Any, bad: Any) -> None:
    with pytest.raises(NodeArgumentError, match="block id"):
        await client(fake).get_block_metadata(bad)
    assert fake.requests == []


@pytest.mark.parametrize("bad", [-1, 2**32, True, "7"])
async def test_bad_milestone_index_is_refused(fake: Any, bad: Any) -> None:
    with pytest.raises(NodeArgumentError, match="milestone index"):
        await client(fake).get_utxo_changes_by_index(bad)
    assert fake.requests == []


def test_base_url_must_be_http() -> None:
    with pytest.raises(NodeArgumentError, match="http"):
        NodeClient("node.test:14265")
