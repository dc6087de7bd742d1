"""Typed node API responses (TIP-25 core v2, TIP-26 indexer v1), parsed from the node's JSON.

Ids are ``bytes``; u64 amounts arrive as decimal strings and become ``int``. Every ``from_json`` raises
:class:`~tanglehub.protocol.errors.JsonShapeError` naming the bad field; the client turns that into
:class:`~tanglehub.node.errors.NodeBadResponse`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Self

from tanglehub.protocol.errors import JsonShapeError
from tanglehub.protocol.jsonutil import (
    get_field,
    hex_to_bytes,
    int_from_dec,
    require_int,
    require_list,
    require_object,
    sub,
)
from tanglehub.protocol.output import Output
from tanglehub.protocol.params import ProtocolParameters

__all__ = [
    "BaseToken",
    "BlockMetadata",
    "FaucetResponse",
    "LedgerInclusionState",
    "MilestoneInfo",
    "NodeInfo",
    "NodeMetrics",
    "NodeStatus",
    "OutputIdsPage",
    "OutputMetadata",
    "OutputResponse",
    "Receipt",
    "Treasury",
    "UtxoChanges",
]

U16 = 0xFFFF
U32 = 0xFFFF_FFFF


def _int(d: Mapping[str, Any], key: str, path: str, hi: int = U32) -> int:
    return require_int(get_field(d, key, path), sub(path, key), 0, hi)


def _opt_int(d: Mapping[str, Any], key: str, path: str, hi: int = U32) -> int | None:
    value = d.get(key)
    return None if value is None else require_int(value, sub(path, key), 0, hi)


def _checked_str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise JsonShapeError(f"expected a string, got {value!r}", path)
    return value


def _str(d: Mapping[str, Any], key: str, path: str) -> str:
    return _checked_str(get_field(d, key, path), sub(path, key))


def _bool(d: Mapping[str, Any], key: str, path: str) -> bool:
    value = get_field(d, key, path)
    if not isinstance(value, bool):
        raise JsonShapeError(f"expected true or false, got {value!r}", sub(path, key))
    return value


def _opt_bool(d: Mapping[str, Any], key: str, path: str) -> bool | None:
    return None if d.get(key) is None else _bool(d, key, path)


def _float(d: Mapping[str, Any], key: str, path: str) -> float:
    value = get_field(d, key, path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise JsonShapeError(f"expected a number, got {value!r}", sub(path, key))
    return float(value)


def _hex(d: Mapping[str, Any], key: str, path: str, length: int) -> bytes:
    return hex_to_bytes(get_field(d, key, path), sub(path, key), length)


def _hex_list(d: Mapping[str, Any], key: str, path: str, length: int) -> tuple[bytes, ...]:
    values = d.get(key)
    if type(values) is list:  # the common case: every item "0x" + 2 * length hex digits, no paths built
        size = 2 + 2 * length
        try:
            items = tuple(
                bytes.fromhex(v[2:]) if type(v) is str and len(v) == size and v[:2] == "0x" else b""
                for v in values
            )
        except ValueError:
            items = ()
        else:
            if all(len(b) == length for b in items):
                return items
    p = sub(path, key)
    return tuple(
        hex_to_bytes(v, f"{p}[{i}]", length) for i, v in enumerate(require_list(get_field(d, key, path), p))
    )


@dataclass(frozen=True, slots=True)
class MilestoneInfo:
    """A milestone as the info route names it: index plus (when known) timestamp and id."""

    index: int
    timestamp: int | None = None
    milestone_id: bytes | None = None

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse ``{"index", "timestamp"?, "milestoneId"?}``."""
        d = require_object(data, path)
        raw_id = d.get("milestoneId")
        mid = None if raw_id is None else hex_to_bytes(raw_id, sub(path, "milestoneId"), 32)
        return cls(_int(d, "index", path), _opt_int(d, "timestamp", path), mid)


@dataclass(frozen=True, slots=True)
class NodeStatus:
    """``info.status``: health flag, latest/confirmed milestone and pruning index."""

    is_healthy: bool
    latest_milestone: MilestoneInfo
    confirmed_milestone: MilestoneInfo
    pruning_index: int

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse the ``status`` object of the info response."""
        d = require_object(data, path)
        return cls(
            _bool(d, "isHealthy", path),
            MilestoneInfo.from_json(get_field(d, "latestMilestone", path), sub(path, "latestMilestone")),
            MilestoneInfo.from_json(get_field(d, "confirmedMilestone", path), sub(path, "confirmedMilestone")),
            _int(d, "pruningIndex", path),
        )


@dataclass(frozen=True, slots=True)
class BaseToken:
    """``info.baseToken``: how wallets display the base token."""

    name: str
    ticker_symbol: str
    unit: str
    subunit: str | None
    decimals: int
    use_metric_prefix: bool

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse the ``baseToken`` object."""
        d = require_object(data, path)
        subunit = d.get("subunit")
        return cls(
            _str(d, "name", path),
            _str(d, "tickerSymbol", path),
            _str(d, "unit", path),
            None if subunit is None else _str(d, "subunit", path),
            _int(d, "decimals", path),
            _bool(d, "useMetricPrefix", path),
        )


@dataclass(frozen=True, slots=True)
class NodeMetrics:
    """``info.metrics``: block rates."""

    blocks_per_second: float
    referenced_blocks_per_second: float
    referenced_rate: float

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse the ``metrics`` object."""
        d = require_object(data, path)
        return cls(
            _float(d, "blocksPerSecond", path),
            _float(d, "referencedBlocksPerSecond", path),
            _float(d, "referencedRate", path),
        )


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """``GET /api/core/v2/info``; ``protocol`` keeps the raw protocol-parameters JSON."""

    name: str
    version: str
    status: NodeStatus
    supported_protocol_versions: tuple[int, ...]
    network_name: str
    bech32_hrp: str
    protocol_version: int
    min_pow_score: int
    token_supply: int
    base_token: BaseToken
    metrics: NodeMetrics
    features: tuple[str, ...]
    protocol: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False, repr=False)
    pending_protocol_parameters: tuple[Mapping[str, Any], ...] = field(
        default=(), hash=False, compare=False, repr=False
    )

    def protocol_parameters(self) -> ProtocolParameters:
        """The node's protocol parameters as a protocol object (raises ``JsonShapeError`` if malformed)."""
        return ProtocolParameters.from_json(self.protocol, "protocol")

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse the info response (field requirements as real nodes and the official SDK use them)."""
        d = require_object(data, path)
        pp = sub(path, "protocol")
        proto = require_object(get_field(d, "protocol", path), pp)
        versions_path = sub(path, "supportedProtocolVersions")
        versions = require_list(get_field(d, "supportedProtocolVersions", path), versions_path)
        features_path = sub(path, "features")
        features = require_list(d.get("features") or [], features_path)
        pending_path = sub(path, "pendingProtocolParameters")
        pending = require_list(d.get("pendingProtocolParameters") or [], pending_path)
        return cls(
            name=_str(d, "name", path),
            version=_str(d, "version", path),
            status=NodeStatus.from_json(get_field(d, "status", path), sub(path, "status")),
            supported_protocol_versions=tuple(
                require_int(v, f"{versions_path}[{i}]", 0, 255) for i, v in enumerate(versions)
            ),
            network_name=_str(proto, "networkName", pp),
            bech32_hrp=_str(proto, "bech32Hrp", pp),
            protocol_version=_int(proto, "version", pp, 255),
            min_pow_score=_int(proto, "minPowScore", pp),
            token_supply=int_from_dec(get_field(proto, "tokenSupply", pp), sub(pp, "tokenSupply")),
            base_token=BaseToken.from_json(get_field(d, "baseToken", path), sub(path, "baseToken")),
            metrics=NodeMetrics.from_json(get_field(d, "metrics", path), sub(path, "metrics")),
            features=tuple(_checked_str(v, f"{features_path}[{i}]") for i, v in enumerate(features)),
            protocol=dict(proto),
            pending_protocol_parameters=tuple(
                dict(require_object(v, f"{pending_path}[{i}]")) for i, v in enumerate(pending)
            ),
        )


class LedgerInclusionState(StrEnum):
    """What a milestone did with a referenced block's payload."""

    INCLUDED = "included"
    CONFLICTING = "conflicting"
    NO_TRANSACTION = "noTransaction"


@dataclass(frozen=True, slots=True)
class BlockMetadata:
    """``GET /blocks/{id}/metadata``; optional fields are None until the node knows them."""

    block_id: bytes
    parents: tuple[bytes, ...]
    is_solid: bool
    referenced_by_milestone_index: int | None = None
    milestone_index: int | None = None
    ledger_inclusion_state: LedgerInclusionState | None = None
    conflict_reason: int | None = None
    white_flag_index: int | None = None
    should_promote: bool | None = None
    should_reattach: bool | None = None

    @property
    def is_referenced(self) -> bool:
        """True once a milestone has referenced the block."""
        return self.referenced_by_milestone_index is not None

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse a block metadata object."""
        d = require_object(data, path)
        state_raw = d.get("ledgerInclusionState")
        state = None
        if state_raw is not None:
            try:
                state = LedgerInclusionState(state_raw)
            except ValueError:
                raise JsonShapeError(
                    f"unknown ledger inclusion state {state_raw!r}", sub(path, "ledgerInclusionState")
                ) from None
        return cls(
            block_id=_hex(d, "blockId", path, 32),
            parents=_hex_list(d, "parents", path, 32),
            is_solid=_bool(d, "isSolid", path),
            referenced_by_milestone_index=_opt_int(d, "referencedByMilestoneIndex", path),
            milestone_index=_opt_int(d, "milestoneIndex", path),
            ledger_inclusion_state=state,
            conflict_reason=_opt_int(d, "conflictReason", path, 255),
            white_flag_index=_opt_int(d, "whiteFlagIndex", path),
            should_promote=_opt_bool(d, "shouldPromote", path),
            should_reattach=_opt_bool(d, "shouldReattach", path),
        )


@dataclass(frozen=True, slots=True)
class OutputMetadata:
    """``GET /outputs/{id}/metadata``: where an output was booked and whether it is spent."""

    block_id: bytes
    transaction_id: bytes
    output_index: int
    is_spent: bool
    milestone_index_booked: int
    milestone_timestamp_booked: int
    ledger_index: int
    milestone_index_spent: int | None = None
    milestone_timestamp_spent: int | None = None
    transaction_id_spent: bytes | None = None

    @property
    def output_id(self) -> bytes:
        """The 34-byte output id (transaction id + little-endian u16 index)."""
        return self.transaction_id + self.output_index.to_bytes(2, "little")

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse an output metadata object."""
        d = require_object(data, path)
        spent_tx = d.get("transactionIdSpent")
        return cls(
            block_id=_hex(d, "blockId", path, 32),
            transaction_id=_hex(d, "transactionId", path, 32),
            output_index=_int(d, "outputIndex", path, 127),
            is_spent=_bool(d, "isSpent", path),
            milestone_index_booked=_int(d, "milestoneIndexBooked", path),
            milestone_timestamp_booked=_int(d, "milestoneTimestampBooked", path),
            ledger_index=_int(d, "ledgerIndex", path),
            milestone_index_spent=_opt_int(d, "milestoneIndexSpent", path),
            milestone_timestamp_spent=_opt_int(d, "milestoneTimestampSpent", path),
            transaction_id_spent=None
            if spent_tx is None
            else hex_to_bytes(spent_tx, sub(path, "transactionIdSpent"), 32),
        )


@dataclass(frozen=True, slots=True)
class OutputResponse:
    """``GET /outputs/{id}``: an output (a protocol object) and its metadata."""

    metadata: OutputMetadata
    output: Output

    @property
    def output_id(self) -> bytes:
        """The 34-byte id of this output."""
        return self.metadata.output_id


@dataclass(frozen=True, slots=True)
class UtxoChanges:
    """``GET /milestones/.../utxo-changes``: output ids created and consumed by one milestone."""

    index: int
    created_outputs: tuple[bytes, ...]
    consumed_outputs: tuple[bytes, ...]

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse a utxo-changes object."""
        d = require_object(data, path)
        return cls(
            _int(d, "index", path),
            _hex_list(d, "createdOutputs", path, 34),
            _hex_list(d, "consumedOutputs", path, 34),
        )


@dataclass(frozen=True, slots=True)
class OutputIdsPage:
    """One indexer page: output ids, the cursor of the next page (None on the last) and the ledger index."""

    items: tuple[bytes, ...]
    cursor: str | None
    ledger_index: int
    page_size: int | None = None

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse an indexer response; an empty-string cursor counts as "no next page"."""
        d = require_object(data, path)
        cursor = d.get("cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise JsonShapeError(f"expected a string, got {cursor!r}", sub(path, "cursor"))
        return cls(
            items=_hex_list(d, "items", path, 34),
            cursor=cursor or None,
            ledger_index=_int(d, "ledgerIndex", path),
            page_size=_opt_int(d, "pageSize", path),
        )


@dataclass(frozen=True, slots=True)
class Treasury:
    """``GET /treasury``: the treasury output's milestone id and amount."""

    milestone_id: bytes
    amount: int

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse the treasury response."""
        d = require_object(data, path)
        return cls(
            _hex(d, "milestoneId", path, 32), int_from_dec(get_field(d, "amount", path), sub(path, "amount"))
        )


@dataclass(frozen=True, slots=True)
class Receipt:
    """One migration receipt: the milestone that carried it and the receipt JSON as the node sent it."""

    milestone_index: int
    receipt: Mapping[str, Any] = field(hash=False, compare=False)

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse one element of ``receipts``."""
        d = require_object(data, path)
        body = require_object(get_field(d, "receipt", path), sub(path, "receipt"))
        return cls(_int(d, "milestoneIndex", path), dict(body))


@dataclass(frozen=True, slots=True)
class FaucetResponse:
    """The faucet's answer to an enqueue request."""

    address: str
    waiting_requests: int | None = None

    @classmethod
    def from_json(cls, data: object, path: str = "") -> Self:
        """Parse ``{"address", "waitingRequests"?}``."""
        d = require_object(data, path)
        return cls(_str(d, "address", path), _opt_int(d, "waitingRequests", path))
