"""Core REST API v2 (TIP-25) routes: one method per route, the path written inside it."""

from __future__ import annotations

from typing import Any

from tanglehub.errors import KeysError
from tanglehub.keys.bech32 import decode_address
from tanglehub.node.args import (
    BLOCK_ID_LENGTH,
    MILESTONE_ID_LENGTH,
    OUTPUT_ID_LENGTH,
    TRANSACTION_ID_LENGTH,
    hex_id,
    milestone_index,
)
from tanglehub.node.errors import NodeArgumentError, NodeBadResponse
from tanglehub.node.models import (
    BlockMetadata,
    FaucetResponse,
    MilestoneInfo,
    NodeInfo,
    OutputMetadata,
    OutputResponse,
    Receipt,
    Treasury,
    UtxoChanges,
)
from tanglehub.node.parsing import parse_block, parse_milestone, parse_output, parse_with
from tanglehub.node.transport import HttpBase
from tanglehub.protocol.block import Block
from tanglehub.protocol.jsonutil import get_field, hex_to_bytes, require_int, require_list, require_object
from tanglehub.protocol.payload import MilestonePayload

__all__ = ["CoreRoutes"]

_CORE = "/api/core/v2"


def _id_list(data: Any, key: str, length: int) -> tuple[bytes, ...]:
    obj = require_object(data, "")
    items = require_list(get_field(obj, key, ""), key)
    return tuple(hex_to_bytes(v, f"{key}[{i}]", length) for i, v in enumerate(items))


def _block_id_answer(data: Any) -> bytes:
    return hex_to_bytes(get_field(require_object(data, ""), "blockId", ""), "blockId", BLOCK_ID_LENGTH)


def _milestone_summary(data: Any) -> MilestoneInfo:
    d = require_object(data, "")
    index = require_int(get_field(d, "index", ""), "index", 0, 0xFFFF_FFFF)
    timestamp = require_int(get_field(d, "timestamp", ""), "timestamp", 0, 0xFFFF_FFFF)
    return MilestoneInfo(index, timestamp)


def _output_response(data: Any) -> OutputResponse:
    d = require_object(data, "")
    meta = OutputMetadata.from_json(get_field(d, "metadata", ""), "metadata")
    return OutputResponse(meta, parse_output(get_field(d, "output", ""), "output"))


class CoreRoutes(HttpBase):
    """The node's core API; mixed into :class:`~tanglehub.node.client.NodeClient`."""

    async def get_health(self) -> bool:
        """``GET /health``: True when the node reports itself healthy (200), False on 503."""
        return await self._get_status("/health") < 300

    async def get_routes(self) -> tuple[str, ...]:
        """``GET /api/routes``: the plugin route groups the node serves (``core/v2``, ``indexer/v1``...)."""
        data = await self._get_json("/api/routes")
        return tuple(parse_with("routes list", lambda d: tuple(_strings(d, "routes")), data))

    async def get_info(self) -> NodeInfo:
        """``GET /api/core/v2/info``: node status and protocol parameters."""
        data = await self._get_json(f"{_CORE}/info")
        return parse_with("node info", NodeInfo.from_json, data)

    async def get_tips(self) -> tuple[bytes, ...]:
        """``GET /api/core/v2/tips``: block ids to use as parents of a new block."""
        data = await self._get_json(f"{_CORE}/tips")
        return parse_with("tips list", lambda d: _id_list(d, "tips", BLOCK_ID_LENGTH), data)

    async def post_block(self, block: Block) -> bytes:
        """``POST /api/core/v2/blocks`` with the block's JSON; returns the block id the node assigned."""
        if not isinstance(block, Block):
            raise NodeArgumentError("post_block needs a Block (use post_block_raw for bytes)")
        data = await self._post_json(f"{_CORE}/blocks", block.to_json())
        return parse_with("block id answer", _block_id_answer, data)

    async def post_block_raw(self, block_bytes: bytes) -> bytes:
        """``POST /api/core/v2/blocks`` with TIP-24 bytes; returns the block id the node assigned."""
        if not isinstance(block_bytes, bytes | bytearray) or not block_bytes:
            raise NodeArgumentError("post_block_raw needs the block's bytes")
        data = await self._post_bytes(f"{_CORE}/blocks", bytes(block_bytes))
        return parse_with("block id answer", _block_id_answer, data)

    async def get_block(self, block_id: bytes | str) -> Block:
        """``GET /api/core/v2/blocks/{blockId}`` as a :class:`~tanglehub.protocol.block.Block`."""
        bid = hex_id(block_id, BLOCK_ID_LENGTH, "block id")
        return parse_with("block", parse_block, await self._get_json(f"{_CORE}/blocks/{bid}"))

    async def get_block_raw(self, block_id: bytes | str) -> bytes:
        """``GET /api/core/v2/blocks/{blockId}`` as TIP-24 bytes."""
        bid = hex_id(block_id, BLOCK_ID_LENGTH, "block id")
        return await self._get_bytes(f"{_CORE}/blocks/{bid}")

    async def get_block_metadata(self, block_id: bytes | str) -> BlockMetadata:
        """``GET /api/core/v2/blocks/{blockId}/metadata``: solidity, inclusion state, promote/reattach hints."""
        bid = hex_id(block_id, BLOCK_ID_LENGTH, "block id")
        data = await self._get_json(f"{_CORE}/blocks/{bid}/metadata")
        return parse_with("block metadata", BlockMetadata.from_json, data)

    async def get_output(self, output_id: bytes | str) -> OutputResponse:
        """``GET /api/core/v2/outputs/{outputId}``: the output and its metadata."""
        oid = hex_id(output_id, OUTPUT_ID_LENGTH, "output id")
        response = parse_with("output", _output_response, await self._get_json(f"{_CORE}/outputs/{oid}"))
        if "0x" + response.output_id.hex() != oid:
            raise NodeBadResponse(f"node answered output {oid} with metadata of 0x{response.output_id.hex()}")
        return response

    async def get_output_raw(self, output_id: bytes | str) -> bytes:
        """``GET /api/core/v2/outputs/{outputId}`` as the output's bytes."""
        oid = hex_id(output_id, OUTPUT_ID_LENGTH, "output id")
        return await self._get_bytes(f"{_CORE}/outputs/{oid}")

    async def get_output_metadata(self, output_id: bytes | str) -> OutputMetadata:
        """``GET /api/core/v2/outputs/{outputId}/metadata``: booked/spent milestones of an output."""
        oid = hex_id(output_id, OUTPUT_ID_LENGTH, "output id")
        data = await self._get_json(f"{_CORE}/outputs/{oid}/metadata")
        return parse_with("output metadata", OutputMetadata.from_json, data)

    async def get_included_block(self, transaction_id: bytes | str) -> Block:
        """``GET /api/core/v2/transactions/{transactionId}/included-block``: the block that applied the tx."""
        tid = hex_id(transaction_id, TRANSACTION_ID_LENGTH, "transaction id")
        data = await self._get_json(f"{_CORE}/transactions/{tid}/included-block")
        return parse_with("block", parse_block, data)

    async def get_included_block_raw(self, transaction_id: bytes | str) -> bytes:
        """The included block of a transaction as TIP-24 bytes."""
        tid = hex_id(transaction_id, TRANSACTION_ID_LENGTH, "transaction id")
        return await self._get_bytes(f"{_CORE}/transactions/{tid}/included-block")

    async def get_included_block_metadata(self, transaction_id: bytes | str) -> BlockMetadata:
        """``GET /api/core/v2/transactions/{transactionId}/included-block/metadata``."""
        tid = hex_id(transaction_id, TRANSACTION_ID_LENGTH, "transaction id")
        data = await self._get_json(f"{_CORE}/transactions/{tid}/included-block/metadata")
        return parse_with("block metadata", BlockMetadata.from_json, data)

    async def get_milestone_by_id(self, milestone_id: bytes | str) -> MilestonePayload:
        """``GET /api/core/v2/milestones/{milestoneId}`` as a milestone payload."""
        mid = hex_id(milestone_id, MILESTONE_ID_LENGTH, "milestone id")
        return parse_with("milestone", parse_milestone, await self._get_json(f"{_CORE}/milestones/{mid}"))

    async def get_milestone_by_id_raw(self, milestone_id: bytes | str) -> bytes:
        """The milestone payload's bytes."""
        mid = hex_id(milestone_id, MILESTONE_ID_LENGTH, "milestone id")
        return await self._get_bytes(f"{_CORE}/milestones/{mid}")

    async def get_milestone_by_index(self, index: int) -> MilestonePayload:
        """``GET /api/core/v2/milestones/by-index/{index}`` as a milestone payload."""
        i = milestone_index(index)
        return parse_with("milestone", parse_milestone, await self._get_json(f"{_CORE}/milestones/by-index/{i}"))

    async def get_milestone_by_index_raw(self, index: int) -> bytes:
        """The milestone payload's bytes, by index."""
        i = milestone_index(index)
        return await self._get_bytes(f"{_CORE}/milestones/by-index/{i}")

    async def get_milestone_info_by_index(self, index: int) -> MilestoneInfo:
        """Index and timestamp of a milestone, read from its JSON without decoding the payload."""
        i = milestone_index(index)
        data = await self._get_json(f"{_CORE}/milestones/by-index/{i}")
        info = parse_with("milestone", _milestone_summary, data)
        if info.index != i:
            raise NodeBadResponse(f"node answered milestone {i} with milestone {info.index}")
        return info

    async def get_utxo_changes_by_id(self, milestone_id: bytes | str) -> UtxoChanges:
        """``GET /api/core/v2/milestones/{milestoneId}/utxo-changes``."""
        mid = hex_id(milestone_id, MILESTONE_ID_LENGTH, "milestone id")
        data = await self._get_json(f"{_CORE}/milestones/{mid}/utxo-changes")
        return parse_with("utxo changes", UtxoChanges.from_json, data)

    async def get_utxo_changes_by_index(self, index: int) -> UtxoChanges:
        """``GET /api/core/v2/milestones/by-index/{index}/utxo-changes``: outputs created/consumed."""
        i = milestone_index(index)
        data = await self._get_json(f"{_CORE}/milestones/by-index/{i}/utxo-changes")
        changes = parse_with("utxo changes", UtxoChanges.from_json, data)
        if changes.index != i:
            raise NodeBadResponse(f"node answered utxo changes of milestone {i} with those of {changes.index}")
        return changes

    async def get_receipts(self, migrated_at: int | None = None) -> tuple[Receipt, ...]:
        """``GET /api/core/v2/receipts`` (or ``/receipts/{migratedAt}``): migration receipts."""
        path = f"{_CORE}/receipts" if migrated_at is None else f"{_CORE}/receipts/{milestone_index(migrated_at)}"
        data = await self._get_json(path)
        return parse_with("receipts list", _receipts, data)

    async def get_treasury(self) -> Treasury:
        """``GET /api/core/v2/treasury``: the current treasury output."""
        return parse_with("treasury", Treasury.from_json, await self._get_json(f"{_CORE}/treasury"))

    async def request_faucet_funds(self, address: str) -> FaucetResponse:
        """``POST /api/plugins/faucet/v1/enqueue`` asking the faucet to fund a bech32 ``address``."""
        if not isinstance(address, str):
            raise NodeArgumentError("the faucet needs a bech32 address string")
        try:
            decode_address(address)
        except KeysError as exc:
            raise NodeArgumentError(f"the faucet needs a valid bech32 address: {exc}") from exc
        data = await self._post_json("/api/plugins/faucet/v1/enqueue", {"address": address})
        return parse_with("faucet answer", FaucetResponse.from_json, data)


def _strings(data: Any, key: str) -> list[str]:
    items = require_list(get_field(require_object(data, ""), key, ""), key)
    out: list[str] = []
    for i, v in enumerate(items):
        if not isinstance(v, str):
            raise NodeBadResponse(f"node sent a non-string in {key}[{i}]")
        out.append(v)
    return out


def _receipts(data: Any) -> tuple[Receipt, ...]:
    items = require_list(get_field(require_object(data, ""), "receipts", ""), "receipts")
    return tuple(Receipt.from_json(v, f"receipts[{i}]") for i, v in enumerate(items))
