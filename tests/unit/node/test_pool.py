"""NodePool: health checks, failover, cool-down, bounded backoff, network checks, delegation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tanglehub.node import (
    BasicOutputQuery,
    NetworkMismatch,
    NodeArgumentError,
    NodeNotFound,
    NodePool,
    NodeRejected,
    NodeUnavailable,
    NoHealthyNode,
)

A, B, C = "http://a.test", "http://b.test", "http://c.test"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_pool(nodes: dict[str, Any], nd: Any, **kwargs: Any) -> tuple[NodePool, Clock, Sleeps]:
    clock = Clock(float(nd.NOW))
    sleeps = Sleeps()
    options: dict[str, Any] = {"clock": clock, "sleep": sleeps, "rng": lambda: 1.0}
    options.update(kwargs)
    pool = NodePool(list(nodes), transport_factory=lambda url: nodes[url].transport(), **options)
    return pool, clock, sleeps


def down(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


def with_fakes(nd: Any, *urls: str) -> dict[str, Any]:
    nodes = {}
    for url in urls:
        node = nd.FakeNode()
        node.routes[("GET", "/api/core/v2/tips")] = {"tips": ["0x" + "11" * 32]}
        nodes[url] = node
    return nodes


async def test_first_node_down_second_answers(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)
    nodes[A].routes[("GET", "/health")] = down
    pool, _, sleeps = make_pool(nodes, nd)
    assert await pool.get_tips() == (b"\x11" * 32,)
    assert nodes[A].paths() == ["/health"]
    assert nodes[B].paths() == ["/health", "/api/core/v2/info", "/api/core/v2/tips"]
    assert sleeps.calls == []
    states = pool.states()
    assert [s.healthy for s in states] == [False, True]
    assert "connection refused" in (states[0].last_error or "")


async def test_request_failing_mid_call_fails_over(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)
    nodes[A].routes[("GET", "/api/core/v2/tips")] = httpx.Response(503, json=nd.error_body(503, "no tips"))
    pool, _, _ = make_pool(nodes, nd)
    assert await pool.get_tips() == (b"\x11" * 32,)
    assert nodes[A].paths()[-1] == "/api/core/v2/tips"
    assert nodes[B].paths()[-1] == "/api/core/v2/tips"


async def test_timeout_fails_over(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    nodes[A].routes[("GET", "/api/core/v2/tips")] = slow
    pool, _, _ = make_pool(nodes, nd)
    assert await pool.get_tips() == (b"\x11" * 32,)


async def test_unhealthy_node_is_skipped_then_retried_after_cooldown(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)
    nodes[A].routes[("GET", "/health")] = httpx.Response(503)
    pool, clock, _ = make_pool(nodes, nd, cooldown=30.0, health_interval=10.0)
    await pool.get_tips()
    a_requests = len(nodes[A].requests)
    clock.now += 29
    await pool.get_tips()
    assert len(nodes[A].requests) == a_requests  # still cooling down: not even asked
    nodes[A].routes[("GET", "/health")] = httpx.Response(200)
    clock.now += 2
    await pool.get_tips()
    assert nodes[A].paths()[-3:] == ["/health", "/api/core/v2/info", "/api/core/v2/tips"]
    assert pool.states()[0].healthy


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"isHealthy": False}, "not synced"),
        ({"timestamp": 1_795_237_705 - 301}, "behind"),
    ],
)
async def test_health_check_reads_info_status(nd: Any, change: dict[str, Any], reason: str) -> None:
    nodes = with_fakes(nd, A, B)
    nodes[A].routes[("GET", "/api/core/v2/info")] = nd.info_json(**change)
    pool, _, _ = make_pool(nodes, nd, max_milestone_age=300.0)
    await pool.get_tips()
    assert reason in (pool.states()[0].last_error or "")
    assert ("GET", "/api/core/v2/tips") not in [(r.method, r.url.path) for r in nodes[A].requests]


async def test_health_is_checked_once_per_interval(nd: Any) -> None:
    nodes = with_fakes(nd, A)
    pool, clock, _ = make_pool(nodes, nd, health_interval=10.0)
    for _ in range(3):
        await pool.get_tips()
    assert nodes[A].paths().count("/health") == 1
    clock.now += 11
    await pool.get_tips()
    assert nodes[A].paths().count("/health") == 2


@pytest.mark.parametrize(("status", "error"), [(400, NodeRejected), (403, NodeRejected), (404, NodeNotFound)])
async def test_answers_are_not_retried_elsewhere(nd: Any, status: int, error: type[Exception]) -> None:
    nodes = with_fakes(nd, A, B)
    nodes[A].routes[("GET", "/api/core/v2/tips")] = httpx.Response(status, json=nd.error_body(status, "no"))
    pool, _, sleeps = make_pool(nodes, nd)
    with pytest.raises(error):
        await pool.get_tips()
    assert nodes[B].requests == []
    assert sleeps.calls == []
    assert pool.states()[0].healthy


async def test_all_down_retries_with_bounded_backoff_then_gives_up(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)
    for node in nodes.values():
        node.routes[("GET", "/health")] = down
    pool, _, sleeps = make_pool(nodes, nd, max_retries=6, backoff=0.5, max_backoff=4.0)
    with pytest.raises(NoHealthyNode, match="connection refused") as info:
        await pool.get_info()
    assert isinstance(info.value.__cause__, NodeUnavailable)
    assert sleeps.calls == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert len(nodes[A].requests) == 7
    assert len(nodes[B].requests) == 7


async def test_get_info_takes_the_answer_of_the_health_check_made_for_it(nd: Any) -> None:
    nodes = with_fakes(nd, A)
    pool, clock, _ = make_pool(nodes, nd, health_interval=30.0)
    first = await pool.get_info()
    assert nodes[A].paths() == ["/health", "/api/core/v2/info"]  # one info request, not two
    assert first.network_name == "testnet"
    await pool.get_info()  # the check is fresh: the info is asked for
    assert nodes[A].paths()[2:] == ["/api/core/v2/info"]
    clock.now += 31.0  # a new check is due: its answer serves the call again
    await pool.get_info()
    assert nodes[A].paths()[3:] == ["/health", "/api/core/v2/info"]


def test_backoff_jitter_stays_within_half_to_full_delay(nd: Any) -> None:
    for r in (0.0, 0.3, 0.999):
        pool, _, _ = make_pool(with_fakes(nd, A), nd, backoff=1.0, max_backoff=8.0, rng=lambda r=r: r)
        delays = [pool.backoff_delay(n) for n in range(1, 10)]
        caps = [min(8.0, 2.0 ** (n - 1)) for n in range(1, 10)]
        assert all(cap / 2 <= d <= cap for d, cap in zip(delays, caps, strict=True))


async def test_node_on_another_network_is_refused(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)
    nodes[B].routes[("GET", "/api/core/v2/info")] = nd.info_json(network="shimmer", hrp="smr")
    nodes[A].routes[("GET", "/api/core/v2/tips")] = down
    pool, _, _ = make_pool(nodes, nd, max_retries=0)
    await pool.get_info()
    assert pool.network_name == "testnet"
    with pytest.raises(NoHealthyNode):
        await pool.get_tips()
    states = pool.states()
    assert states[1].refused
    assert "serves network 'shimmer'" in (states[1].last_error or "")
    assert "/api/core/v2/tips" not in nodes[B].paths()


async def test_configured_network_refuses_every_other_node(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)
    pool, _, sleeps = make_pool(nodes, nd, network_name="tanglehub-devnet", bech32_hrp="tst")
    with pytest.raises(NetworkMismatch, match="tanglehub-devnet"):
        await pool.get_info()
    assert all(s.refused for s in pool.states())
    assert sleeps.calls == []


async def test_check_all_reports_each_node(nd: Any) -> None:
    nodes = with_fakes(nd, A, B, C)
    nodes[B].routes[("GET", "/health")] = down
    nodes[C].routes[("GET", "/api/core/v2/info")] = nd.info_json(hrp="smr")
    pool, _, _ = make_pool(nodes, nd)
    states = await pool.check_all()
    assert [(s.healthy, s.refused) for s in states] == [(True, False), (False, False), (False, True)]
    assert states[0].info is not None
    assert states[0].info.bech32_hrp == "rms"


async def test_pagination_through_the_pool_fails_over_per_page(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)
    c1 = "00000001" + "11" * 34 + ".1"
    first = {"ledgerIndex": 1, "items": ["0x" + "01" * 34], "cursor": c1}
    second = {"ledgerIndex": 1, "items": ["0x" + "02" * 34]}

    def a_pages(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") == c1:
            raise httpx.ConnectError("gone")
        return httpx.Response(200, json=first)

    nodes[A].routes[("GET", "/api/indexer/v1/outputs/basic")] = a_pages
    nodes[B].routes[("GET", "/api/indexer/v1/outputs/basic")] = lambda r: httpx.Response(200, json=second)
    pool, _, _ = make_pool(nodes, nd)
    ids = await pool.all_basic_output_ids(BasicOutputQuery())
    assert ids == [b"\x01" * 34, b"\x02" * 34]
    assert nodes[B].requests[-1].url.params["cursor"] == c1


async def test_call_runs_any_client_function(nd: Any) -> None:
    nodes = with_fakes(nd, A)
    pool, _, _ = make_pool(nodes, nd)
    async with pool:
        assert await pool.call(lambda c: c.get_tips()) == (b"\x11" * 32,)
    assert pool.get_tips.__doc__ is not None


@pytest.mark.parametrize("urls", [[], [A, A], "http://a.test"])
def test_bad_pool_configuration(urls: Any) -> None:
    with pytest.raises(NodeArgumentError):
        NodePool(urls)


def flaky(outcomes: list[Any], answer: Any) -> Any:
    """A route that answers with each of ``outcomes`` in turn, then with ``answer``."""

    def route(request: httpx.Request) -> httpx.Response:
        entry = outcomes.pop(0) if outcomes else answer
        if isinstance(entry, BaseException):
            raise entry
        return entry if isinstance(entry, httpx.Response) else httpx.Response(200, json=entry)

    return route


async def test_single_flaky_node_is_retried_without_a_new_health_check(nd: Any) -> None:
    nodes = with_fakes(nd, A)
    busy = httpx.Response(503, json=nd.error_body(503, "busy"))
    nodes[A].routes[("GET", "/api/core/v2/tips")] = flaky(
        [busy, httpx.RemoteProtocolError("peer closed connection")], {"tips": ["0x" + "22" * 32]}
    )
    pool, _, sleeps = make_pool(nodes, nd, backoff=0.1, max_backoff=2.0)
    assert await pool.get_tips() == (b"\x22" * 32,)
    assert nodes[A].paths().count("/health") == 1  # two failed requests do not make the node unhealthy
    assert sleeps.calls == [0.1, 0.2]
    assert pool.states()[0].healthy


async def test_repeated_failures_cool_the_node_down_when_another_can_answer(nd: Any) -> None:
    nodes = with_fakes(nd, A, B)
    busy = httpx.Response(503, json=nd.error_body(503, "busy"))
    nodes[A].routes[("GET", "/api/core/v2/tips")] = busy
    nodes[B].routes[("GET", "/api/core/v2/tips")] = flaky([busy, busy], {"tips": ["0x" + "22" * 32]})
    pool, _, _ = make_pool(nodes, nd, failures_before_cooldown=3)
    assert await pool.get_tips() == (b"\x22" * 32,)
    states = pool.states()
    assert not states[0].healthy  # A failed three times in a row while B could answer: cooling down
    assert states[1].healthy  # B failed twice, then answered


async def test_the_only_node_is_not_cooled_down_for_failed_requests(nd: Any) -> None:
    nodes = with_fakes(nd, A)
    busy = httpx.Response(503, json=nd.error_body(503, "busy"))
    nodes[A].routes[("GET", "/api/core/v2/tips")] = flaky([busy] * 5, {"tips": ["0x" + "22" * 32]})
    pool, _, _ = make_pool(nodes, nd, failures_before_cooldown=3)
    assert await pool.get_tips() == (b"\x22" * 32,)
    assert nodes[A].paths().count("/health") == 1  # no new health check: nowhere else to go anyway


async def test_the_only_node_whose_health_check_fails_is_checked_again_not_given_up(nd: Any) -> None:
    """Review 1, finding 6: a flaky node's ``/health`` answering 503 (or dropping the connection) must not make
    the pool give up when that node is the only one: it is probed again after the backoff."""
    nodes = with_fakes(nd, A)
    nodes[A].routes[("GET", "/health")] = flaky(
        [httpx.Response(503), httpx.RemoteProtocolError("peer closed connection"), httpx.Response(503)],
        httpx.Response(200),
    )
    pool, _, sleeps = make_pool(nodes, nd, backoff=0.1, max_backoff=2.0)
    assert await pool.get_tips() == (b"\x11" * 32,)
    assert nodes[A].paths() == ["/health"] * 4 + ["/api/core/v2/info", "/api/core/v2/tips"]
    assert sleeps.calls == [0.1, 0.2, 0.4]
    assert pool.states()[0].healthy


async def test_retries_stop_at_the_deadline(nd: Any) -> None:
    nodes = with_fakes(nd, A)
    nodes[A].routes[("GET", "/api/core/v2/tips")] = httpx.Response(503, json=nd.error_body(503, "busy"))
    clock = Clock(float(nd.NOW))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    pool = NodePool(
        [A],
        transport_factory=lambda url: nodes[url].transport(),
        clock=clock,
        sleep=sleep,
        rng=lambda: 1.0,
        max_retries=1000,
        backoff=1.0,
        max_backoff=4.0,
        deadline=10.0,
    )
    with pytest.raises(NoHealthyNode, match="after 4 rounds"):
        await pool.get_tips()
    assert slept == [1.0, 2.0, 4.0]  # a fourth backoff of 4 s would end past the 10 s deadline


async def test_concurrent_calls_share_one_health_check(nd: Any) -> None:
    nodes = with_fakes(nd, A)
    pool, _, _ = make_pool(nodes, nd)
    results = await asyncio.gather(*(pool.get_tips() for _ in range(8)))
    assert all(r == (b"\x11" * 32,) for r in results)
    assert nodes[A].paths().count("/health") == 1
