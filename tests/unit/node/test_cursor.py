"""MilestoneCursor: ledger changes per confirmed milestone, waiting at the tip, resume, pruning."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tanglehub.node import MilestoneChanges, MilestoneCursor, MilestonePruned, NodeArgumentError, NodeClient

BASE_TS = 1_700_000_000


def oid(milestone: int, n: int) -> str:
    return "0x" + milestone.to_bytes(32, "big").hex() + n.to_bytes(2, "little").hex()


class Ledger:
    """A fake node whose confirmed milestone index can be advanced by the test."""

    def __init__(self, nd: Any, confirmed: int, pruning: int = 0) -> None:
        self.nd = nd
        self.confirmed = confirmed
        self.pruning = pruning
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.requests.append(path)
        if path == "/health":
            return httpx.Response(200)
        if path == "/api/core/v2/info":
            info = self.nd.info_json(confirmed=self.confirmed, pruningIndex=self.pruning)
            info["status"]["confirmedMilestone"]["timestamp"] = BASE_TS + 5 * self.confirmed
            return httpx.Response(200, json=info)
        parts = path.split("/")
        index = int(parts[6])
        if index > self.confirmed or index <= self.pruning:
            return httpx.Response(404, json=self.nd.error_body(404, f"milestone {index} not found"))
        if path.endswith("/utxo-changes"):
            created = [oid(index, n) for n in range(index % 3)]
            consumed = [oid(index - 1, 0)] if index % 2 == 0 else []
            return httpx.Response(
                200, json={"index": index, "createdOutputs": created, "consumedOutputs": consumed}
            )
        return httpx.Response(200, json={"type": 7, "index": index, "timestamp": BASE_TS + 5 * index})


def node_for(ledger: Ledger) -> NodeClient:
    return NodeClient("http://n.test", transport=httpx.MockTransport(ledger))


async def test_available_reads_every_confirmed_milestone_in_order(nd: Any) -> None:
    ledger = Ledger(nd, confirmed=14)
    cursor = MilestoneCursor(node_for(ledger), 10)
    got = [c async for c in cursor.available()]
    assert [c.index for c in got] == [10, 11, 12, 13, 14]
    assert got[2] == MilestoneChanges(12, BASE_TS + 60, (), (bytes.fromhex(oid(11, 0)[2:]),))
    assert got[4].created_outputs == (bytes.fromhex(oid(14, 0)[2:]), bytes.fromhex(oid(14, 1)[2:]))
    assert got[1].created_outputs == (bytes.fromhex(oid(11, 0)[2:]), bytes.fromhex(oid(11, 1)[2:]))
    assert cursor.next_index == 15
    assert cursor.confirmed_index == 14
    assert [c async for c in cursor.available()] == []


async def test_next_waits_for_the_next_confirmed_milestone(nd: Any) -> None:
    ledger = Ledger(nd, confirmed=5)
    polls: list[float] = []

    async def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 3:
            ledger.confirmed = 7

    cursor = MilestoneCursor(node_for(ledger), 6, poll_interval=2.5, sleep=sleep)
    first = await cursor.next()
    assert first.index == 6
    assert polls == [2.5, 2.5, 2.5]
    assert (await cursor.next()).index == 7
    assert polls == [2.5, 2.5, 2.5]


async def test_async_iteration_runs_on_and_resumes_from_a_persisted_index(nd: Any) -> None:
    ledger = Ledger(nd, confirmed=100)
    node = node_for(ledger)
    persisted = 1
    cursor = MilestoneCursor(node, persisted)
    async for changes in cursor:
        persisted = changes.index + 1
        if changes.index == 4:
            break
    assert persisted == 5
    resumed = MilestoneCursor(node, persisted)
    assert [c.index async for c in resumed.available()][:3] == [5, 6, 7]


async def test_only_info_and_milestone_routes_are_used(nd: Any) -> None:
    ledger = Ledger(nd, confirmed=3)
    cursor = MilestoneCursor(node_for(ledger), 1)
    read = [c async for c in cursor.available()]
    assert sorted(set(ledger.requests)) == sorted(
        {"/api/core/v2/info"}
        | {f"/api/core/v2/milestones/by-index/{i}" for i in (1, 2)}  # 3's timestamp came with the info
        | {f"/api/core/v2/milestones/by-index/{i}/utxo-changes" for i in (1, 2, 3)}
    )
    assert [c.timestamp for c in read] == [BASE_TS + 5 * i for i in (1, 2, 3)]


async def test_pruned_history_is_reported(nd: Any) -> None:
    ledger = Ledger(nd, confirmed=50, pruning=20)
    cursor = MilestoneCursor(node_for(ledger), 10)
    with pytest.raises(MilestonePruned, match="pruning index 20"):
        await cursor.next()
    with pytest.raises(MilestonePruned):
        await cursor.read(15)


def test_bad_start_index_and_poll_interval() -> None:
    node = NodeClient("http://n.test", transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    with pytest.raises(NodeArgumentError):
        MilestoneCursor(node, -1)
    with pytest.raises(NodeArgumentError):
        MilestoneCursor(node, 1, poll_interval=0)


async def test_cursor_reads_through_a_pool_that_fails_over(nd: Any) -> None:
    from tanglehub.node import NodePool

    ledger = Ledger(nd, confirmed=3)
    dead = httpx.MockTransport(lambda r: (_ for _ in ()).throw(httpx.ConnectError("down")))
    transports = {"http://dead.test": dead, "http://live.test": httpx.MockTransport(ledger)}
    pool = NodePool(list(transports), transport_factory=transports.__getitem__, max_milestone_age=None)
    cursor = MilestoneCursor(pool, 2)
    assert [c.index async for c in cursor.available()] == [2, 3]
    assert [s.healthy for s in pool.states()] == [False, True]
