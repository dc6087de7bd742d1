"""``NodePool``: several nodes behind one client, with health checks, failover, retries and cool-down.

A call goes to the first node (in the configured order) that is not cooling down and passed a health
check within ``health_interval`` seconds. If the request fails (unreachable, dropped connection, timeout,
5xx: :class:`~tanglehub.node.errors.NodeUnavailable`), the next node is tried; a node whose health check
fails, or whose requests failed ``failures_before_cooldown`` times in a row while another node is usable,
cools down for ``cooldown`` seconds and is checked again before its next use (the only usable node is not
cooled down for failed requests: its calls are retried on it, with backoff). After a full round the pool
sleeps an exponential, jittered, bounded backoff and tries again: at most ``max_retries`` more rounds, and
none that would start after ``deadline`` seconds from the call's start. So a flaky node (say 30% 5xx and
10% dropped connections) makes calls slower, not failed.

Every call is retried, which is safe because every route the pool serves is idempotent: GETs, and
``POST /blocks``, since a block id is the BLAKE2b-256 of the block's bytes (the same bytes posted twice are
one block; a node completing the nonce itself may make a second block, but it carries the same
transaction, which the ledger applies at most once). The faucet's enqueue may pay twice (devnets only).

4xx answers (``NodeRejected``, ``NodeNotFound``) are answers: they go straight back to the caller. A node
serving another network than the pool's is refused for good.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar, cast

import httpx

from tanglehub.node.client import DEFAULT_TIMEOUT, NodeClient
from tanglehub.node.errors import (
    NetworkMismatch,
    NodeArgumentError,
    NodeError,
    NodeUnavailable,
    NodeUnhealthy,
    NoHealthyNode,
)
from tanglehub.node.models import NodeInfo
from tanglehub.node.routes_indexer import IndexerHelpers

__all__ = ["NodePool", "NodeState", "TransportFactory"]

P = ParamSpec("P")
R = TypeVar("R")

TransportFactory = Callable[[str], httpx.AsyncBaseTransport]


@dataclass(slots=True)
class _Node:
    url: str
    client: NodeClient
    checked_at: float | None = None
    down_until: float = 0.0
    refused: NetworkMismatch | None = None
    last_error: str | None = None
    info: NodeInfo | None = None
    failures: int = 0
    probing: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True, slots=True)
class NodeState:
    """What the pool currently thinks of one node."""

    url: str
    healthy: bool
    refused: bool
    down_until: float
    last_error: str | None
    info: NodeInfo | None


async def _read_info(client: NodeClient) -> NodeInfo:
    """``client.get_info()`` (:meth:`NodePool.get_info` passes this very function to ``call``)."""
    return await client.get_info()


def _delegate(
    method: Callable[Concatenate[NodeClient, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[NodePool, P], Coroutine[Any, Any, R]]:
    """A pool method that runs ``method`` on a healthy node through :meth:`NodePool.call`."""

    async def run(self: NodePool, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self.call(lambda client: method(client, *args, **kwargs))

    run.__name__ = method.__name__
    run.__qualname__ = f"NodePool.{method.__name__}"
    run.__doc__ = method.__doc__
    return run


class NodePool(IndexerHelpers):
    """Several nodes of one network behind the :class:`NodeClient` API (``await pool.get_info()``)."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        transport_factory: TransportFactory | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        auth: str | None = None,
        health_interval: float = 30.0,
        max_milestone_age: float | None = 300.0,
        cooldown: float = 30.0,
        max_retries: int = 16,
        backoff: float = 0.025,
        max_backoff: float = 2.0,
        deadline: float | None = 60.0,
        failures_before_cooldown: int = 3,
        network_name: str | None = None,
        bech32_hrp: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if isinstance(urls, str) or not urls:
            raise NodeArgumentError("a node pool needs a non-empty list of node URLs")
        if len(set(urls)) != len(urls):
            raise NodeArgumentError("node URLs in a pool must be distinct")
        if max_retries < 0 or backoff < 0 or max_backoff < backoff or cooldown < 0 or health_interval < 0:
            raise NodeArgumentError("retries, backoff, cool-down and health interval must not be negative")
        if (deadline is not None and deadline <= 0) or failures_before_cooldown < 1:
            raise NodeArgumentError("the deadline must be positive and failures_before_cooldown at least 1")
        self._nodes = [
            _Node(
                url,
                NodeClient(
                    url,
                    transport=transport_factory(url) if transport_factory else None,
                    timeout=timeout,
                    auth=auth,
                ),
            )
            for url in urls
        ]
        self._health_interval = health_interval
        self._max_milestone_age = max_milestone_age
        self._cooldown = cooldown
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._deadline = deadline
        self._failures_before_cooldown = failures_before_cooldown
        self._network = network_name
        self._hrp = bech32_hrp
        self._clock = clock
        self._sleep = sleep
        self._rng = rng

    # -- lifecycle -----------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close every node's connection pool."""
        for node in self._nodes:
            await node.client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # -- state ---------------------------------------------------------------------------------------

    @property
    def network_name(self) -> str | None:
        """The network every node must serve (configured, or learned from the first healthy node)."""
        return self._network

    @property
    def bech32_hrp(self) -> str | None:
        """The bech32 HRP every node must use (configured, or learned from the first healthy node)."""
        return self._hrp

    def states(self) -> list[NodeState]:
        """A snapshot of every node's health, in configured order."""
        now = self._clock()
        return [
            NodeState(
                url=n.url,
                healthy=n.refused is None and n.down_until <= now and n.checked_at is not None,
                refused=n.refused is not None,
                down_until=n.down_until,
                last_error=n.last_error,
                info=n.info,
            )
            for n in self._nodes
        ]

    def backoff_delay(self, attempt: int) -> float:
        """Seconds to wait before retry round ``attempt`` (1-based): exponential, jittered, bounded."""
        base = min(self._max_backoff, self._backoff * float(2 ** max(0, attempt - 1)))
        return base * (0.5 + 0.5 * self._rng())

    # -- health ----------------------------------------------------------------------------------------

    async def _probe(self, node: _Node) -> NodeInfo:
        if not await node.client.get_health():
            raise NodeUnhealthy(f"node at {node.url} reports itself unhealthy (/health answered 503)")
        info = await node.client.get_info()
        if not info.status.is_healthy:
            raise NodeUnhealthy(f"node at {node.url} is not synced (info.status.isHealthy is false)")
        stamp = info.status.latest_milestone.timestamp
        if self._max_milestone_age is not None and stamp is not None:
            age = self._clock() - stamp
            if age > self._max_milestone_age:
                raise NodeUnhealthy(
                    f"node at {node.url} is behind: its latest milestone is {age:.0f} s old "
                    f"(limit {self._max_milestone_age:.0f} s)"
                )
        return info

    def _accept(self, node: _Node, info: NodeInfo) -> None:
        """Adopt or check the network of ``info``; refuse the node for good when it differs."""
        if self._network is None:
            self._network = info.network_name
        if self._hrp is None:
            self._hrp = info.bech32_hrp
        if info.network_name != self._network or info.bech32_hrp != self._hrp:
            error = NetworkMismatch(
                f"node at {node.url} serves network {info.network_name!r} (hrp {info.bech32_hrp!r}), "
                f"but this pool is on {self._network!r} (hrp {self._hrp!r}); the node is not used"
            )
            node.refused = error
            node.last_error = str(error)
            raise error
        node.info = info
        node.checked_at = self._clock()
        node.down_until = 0.0  # a node that passed its health check is usable again (no cool-down left)
        node.last_error = None

    def _mark_down(self, node: _Node, error: NodeError) -> None:
        node.down_until = self._clock() + self._cooldown
        node.checked_at = None
        node.failures = 0
        node.last_error = str(error)

    def _fresh(self, node: _Node) -> bool:
        return node.checked_at is not None and self._clock() - node.checked_at < self._health_interval

    async def _ensure_checked(self, node: _Node) -> NodeInfo | None:
        """Health-check ``node`` unless it passed a check within ``health_interval``; the info the check read
        now (None when no check was needed)."""
        if self._fresh(node):
            return None
        async with node.probing:  # concurrent calls share one health check
            if self._fresh(node):
                return None
            try:
                info = await self._probe(node)
            except NetworkMismatch:
                raise
            except NodeError as exc:
                self._mark_down(node, exc)
                raise
            self._accept(node, info)
            return info

    async def check_all(self) -> list[NodeState]:
        """Health-check every usable node now (concurrently) and return the states."""
        usable = [n for n in self._nodes if n.refused is None]
        results = await asyncio.gather(*(self._probe(n) for n in usable), return_exceptions=True)
        for node, result in zip(usable, results, strict=True):
            if isinstance(result, NodeInfo):
                try:
                    self._accept(node, result)
                except NetworkMismatch:
                    continue
            elif isinstance(result, NodeError):
                self._mark_down(node, result)
            elif isinstance(result, BaseException):
                raise result
        return self.states()

    # -- calls -----------------------------------------------------------------------------------------

    def _candidates(self) -> list[_Node]:
        usable = [n for n in self._nodes if n.refused is None]
        if not usable:
            first = next(n.refused for n in self._nodes if n.refused is not None)
            raise NetworkMismatch(f"no node in the pool serves the expected network: {first}")
        now = self._clock()
        ready = [n for n in usable if n.down_until <= now]
        return ready or sorted(usable, key=lambda n: n.down_until)

    def _has_alternative(self, node: _Node) -> bool:
        """True when another node is usable now (cooling ``node`` down only helps if calls can go elsewhere)."""
        now = self._clock()
        return any(n is not node and n.refused is None and n.down_until <= now for n in self._nodes)

    async def call(self, fn: Callable[[NodeClient], Awaitable[R]]) -> R:
        """Run ``fn`` on a healthy node, failing over and retrying on :class:`NodeUnavailable` (see the
        module docstring); raises :class:`NoHealthyNode` when the rounds or the deadline run out."""
        last: NodeError | None = None
        start = self._clock()
        rounds = 0
        for attempt in range(self._max_retries + 1):
            candidates = self._candidates()
            if attempt:
                delay = self.backoff_delay(attempt)
                if self._deadline is not None and self._clock() + delay - start > self._deadline:
                    break
                await self._sleep(delay)
            rounds += 1
            for node in candidates:
                try:
                    probed = None if self._fresh(node) else await self._ensure_checked(node)
                except NodeError as exc:
                    last = exc
                    continue
                if probed is not None and fn is _read_info:
                    # the health check has just read this node's info: that is the answer (no second request)
                    return cast(R, probed)
                try:
                    result = await fn(node.client)
                except NodeUnavailable as exc:
                    last = exc
                    node.failures += 1
                    node.last_error = str(exc)
                    if node.failures >= self._failures_before_cooldown and self._has_alternative(node):
                        self._mark_down(node, exc)
                    continue
                node.failures = 0
                return result
        tried = ", ".join(n.url for n in self._nodes)
        raise NoHealthyNode(
            f"no healthy node answered after {rounds} rounds over {tried}; last error: {last}"
        ) from last

    # -- the NodeClient API, delegated through call() -----------------------------------------------------

    get_health = _delegate(NodeClient.get_health)
    get_routes = _delegate(NodeClient.get_routes)

    async def get_info(self) -> NodeInfo:
        """``GET /api/core/v2/info``: node status and protocol parameters (a health check made for this call
        has just read it: its answer is returned, without asking again)."""
        return await self.call(_read_info)

    get_tips = _delegate(NodeClient.get_tips)
    post_block = _delegate(NodeClient.post_block)
    post_block_raw = _delegate(NodeClient.post_block_raw)
    get_block = _delegate(NodeClient.get_block)
    get_block_raw = _delegate(NodeClient.get_block_raw)
    get_block_metadata = _delegate(NodeClient.get_block_metadata)
    get_output = _delegate(NodeClient.get_output)
    get_output_raw = _delegate(NodeClient.get_output_raw)
    get_output_metadata = _delegate(NodeClient.get_output_metadata)
    get_included_block = _delegate(NodeClient.get_included_block)
    get_included_block_raw = _delegate(NodeClient.get_included_block_raw)
    get_included_block_metadata = _delegate(NodeClient.get_included_block_metadata)
    get_milestone_by_id = _delegate(NodeClient.get_milestone_by_id)
    get_milestone_by_id_raw = _delegate(NodeClient.get_milestone_by_id_raw)
    get_milestone_by_index = _delegate(NodeClient.get_milestone_by_index)
    get_milestone_by_index_raw = _delegate(NodeClient.get_milestone_by_index_raw)
    get_milestone_info_by_index = _delegate(NodeClient.get_milestone_info_by_index)
    get_utxo_changes_by_id = _delegate(NodeClient.get_utxo_changes_by_id)
    get_utxo_changes_by_index = _delegate(NodeClient.get_utxo_changes_by_index)
    get_receipts = _delegate(NodeClient.get_receipts)
    get_treasury = _delegate(NodeClient.get_treasury)
    request_faucet_funds = _delegate(NodeClient.request_faucet_funds)
    output_ids = _delegate(NodeClient.output_ids)
    basic_output_ids = _delegate(NodeClient.basic_output_ids)
    alias_output_ids = _delegate(NodeClient.alias_output_ids)
    foundry_output_ids = _delegate(NodeClient.foundry_output_ids)
    nft_output_ids = _delegate(NodeClient.nft_output_ids)
    alias_output_id = _delegate(NodeClient.alias_output_id)
    foundry_output_id = _delegate(NodeClient.foundry_output_id)
    nft_output_id = _delegate(NodeClient.nft_output_id)
