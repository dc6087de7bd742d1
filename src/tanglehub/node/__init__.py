"""tanglehub.node: async client for the node core API v2 + indexer API v1, node pool, milestone cursor."""

from __future__ import annotations

from tanglehub.node.client import NodeClient
from tanglehub.node.cursor import MilestoneChanges, MilestoneCursor, MilestoneSource
from tanglehub.node.errors import (
    MilestonePruned,
    NetworkMismatch,
    NodeArgumentError,
    NodeBadResponse,
    NodeError,
    NodeNotFound,
    NodeRejected,
    NodeTimeout,
    NodeUnavailable,
    NodeUnhealthy,
    NoHealthyNode,
)
from tanglehub.node.models import (
    BaseToken,
    BlockMetadata,
    FaucetResponse,
    LedgerInclusionState,
    MilestoneInfo,
    NodeInfo,
    NodeMetrics,
    NodeStatus,
    OutputIdsPage,
    OutputMetadata,
    OutputResponse,
    Receipt,
    Treasury,
    UtxoChanges,
)
from tanglehub.node.pool import NodePool, NodeState, TransportFactory
from tanglehub.node.query import (
    AliasOutputQuery,
    BasicOutputQuery,
    FoundryOutputQuery,
    NftOutputQuery,
    OutputQuery,
)

__all__ = [
    "AliasOutputQuery",
    "BaseToken",
    "BasicOutputQuery",
    "BlockMetadata",
    "FaucetResponse",
    "FoundryOutputQuery",
    "LedgerInclusionState",
    "MilestoneChanges",
    "MilestoneCursor",
    "MilestoneInfo",
    "MilestonePruned",
    "MilestoneSource",
    "NetworkMismatch",
    "NftOutputQuery",
    "NoHealthyNode",
    "NodeArgumentError",
    "NodeBadResponse",
    "NodeClient",
    "NodeError",
    "NodeInfo",
    "NodeMetrics",
    "NodeNotFound",
    "NodePool",
    "NodeRejected",
    "NodeState",
    "NodeStatus",
    "NodeTimeout",
    "NodeUnavailable",
    "NodeUnhealthy",
    "OutputIdsPage",
    "OutputMetadata",
    "OutputQuery",
    "OutputResponse",
    "Receipt",
    "TransportFactory",
    "Treasury",
    "UtxoChanges",
]
