"""Errors of the node layer: a node that cannot be reached, refuses a request, or answers nonsense.

::

    NodeError                      NODE_ERROR
    +-- NodeArgumentError          NODE_BAD_ARGUMENT     a caller passed an id/index/address that is malformed
    +-- NodeNotFound               NODE_NOT_FOUND        404: the node does not know that block/output/milestone
    +-- NodeRejected               NODE_REJECTED         400/403/415/...: the node refused the request
    +-- NodeBadResponse            NODE_BAD_RESPONSE     2xx with a body that is not the documented shape
    +-- NodeUnavailable            NODE_UNAVAILABLE      connection error, 5xx (503 = not synced)
    |   +-- NodeTimeout            NODE_TIMEOUT          the node did not answer in time
    |   +-- NodeUnhealthy          NODE_UNHEALTHY        health check failed (not synced, stale milestone)
    |   +-- NoHealthyNode          NODE_NONE_HEALTHY     a pool ran out of nodes and retries
    +-- NetworkMismatch            NODE_NETWORK_MISMATCH a node serves another network than expected
    +-- MilestonePruned            NODE_MILESTONE_PRUNED a milestone cursor asked for pruned history

A pool fails over on :class:`NodeUnavailable` (and its subclasses) only; :class:`NodeNotFound` and
:class:`NodeRejected` are answers and are returned to the caller unchanged.
"""

from __future__ import annotations

from tanglehub.errors import NodeError

__all__ = [
    "MilestonePruned",
    "NetworkMismatch",
    "NoHealthyNode",
    "NodeArgumentError",
    "NodeBadResponse",
    "NodeError",
    "NodeNotFound",
    "NodeRejected",
    "NodeTimeout",
    "NodeUnavailable",
    "NodeUnhealthy",
]


class NodeArgumentError(NodeError):
    """A value passed to a node method is malformed (nothing was sent)."""

    code = "NODE_BAD_ARGUMENT"
    http_status = 400


class _NodeAnswer(NodeError):
    """Shared shape of errors that carry the node's HTTP status and message."""

    code = "NODE_ANSWER"

    def __init__(self, message: str, *, status: int | None = None, node_message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.node_message = node_message


class NodeNotFound(_NodeAnswer):
    """The node answered 404: it does not know the requested object."""

    code = "NODE_NOT_FOUND"
    http_status = 404


class NodeRejected(_NodeAnswer):
    """The node refused the request (400, 403, 415, ...); ``node_message`` says why."""

    code = "NODE_REJECTED"
    http_status = 400


class NodeBadResponse(NodeError):
    """The node answered with a body that does not have the documented shape."""

    code = "NODE_BAD_RESPONSE"
    http_status = 502


class NodeUnavailable(_NodeAnswer):
    """The node could not be reached or answered with a server error (5xx)."""

    code = "NODE_UNAVAILABLE"
    http_status = 503


class NodeTimeout(NodeUnavailable):
    """The node did not answer within the timeout."""

    code = "NODE_TIMEOUT"
    http_status = 504


class NodeUnhealthy(NodeUnavailable):
    """A health check failed: the node is not synced or its latest milestone is too old."""

    code = "NODE_UNHEALTHY"


class NoHealthyNode(NodeUnavailable):
    """A node pool tried every node (with retries) and none answered."""

    code = "NODE_NONE_HEALTHY"


class NetworkMismatch(NodeError):
    """A node serves a different network (name or bech32 HRP) than the pool expects."""

    code = "NODE_NETWORK_MISMATCH"
    http_status = 502


class MilestonePruned(NodeError):
    """A milestone cursor asked for a milestone the node has already pruned."""

    code = "NODE_MILESTONE_PRUNED"
    http_status = 410
