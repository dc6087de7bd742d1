"""Crash test: the hub (a child process on a real devnet) is SIGKILLed at random moments and at named points
while deposits arrive and transfers are posted; after the last restart every deposit is credited exactly once,
every event is in the log once and in order, every transfer applied once, and the books balance with the node.

CI-sized by default (six random kills plus each named point once); ``TANGLEHUB_FAULTS_FULL=1`` runs the full
drill (200 random kills). Runs on SQLite and (with ``TANGLEHUB_TEST_POSTGRES_URL``) on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.devnet_process import Devnet, devnet_in
from tests.hub.process import HubProcess
from tests.hub.test_scenario import wait_for

pytestmark = pytest.mark.slow

FULL = os.environ.get("TANGLEHUB_FAULTS_FULL") == "1"
RANDOM_KILLS = 200 if FULL else 6
NAMED = ["scan-inside:1", "scan-after:1", "transfer-inside:1", "transfer-after:1", "fetch:2", "scan-inside:2"]
USERS = 6


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    yield from devnet_in(tmp_path, faucet_amount=1_000_000)


class Workload:
    """Deposits (faucet payments to users' addresses) and transfers (retried until answered)."""

    def __init__(self, devnet: Devnet, rng: random.Random) -> None:
        self.devnet = devnet
        self.rng = rng
        self.addresses: dict[str, str] = {}
        self.payments = 0
        self.pending: list[dict[str, object]] = []
        self.answered: dict[str, int] = {}
        self.next_key = 0

    def setup(self, api: httpx.Client) -> None:
        for i in range(USERS):
            name = f"c{i}"
            api.post("/v1/users", json={"userId": name}).raise_for_status()
            response = wait_for(
                "an address",
                lambda n=name: (r := api.post(f"/v1/users/{n}/deposit-addresses")).status_code == 201 and r,
            )  # type: ignore[misc]
            self.addresses[name] = response.json()["address"]

    def deposit(self) -> None:
        self.devnet.faucet(self.addresses[self.rng.choice(sorted(self.addresses))])
        self.payments += 1

    def new_transfer(self) -> None:
        a, b = self.rng.sample(sorted(self.addresses), 2)
        amount = self.rng.randint(1, 1000)
        key = f"x-{self.next_key}"
        self.next_key += 1
        self.pending.append(
            {
                "idempotencyKey": key,
                "legs": [{"userId": a, "amount": str(-amount)}, {"userId": b, "amount": str(amount)}],
            }
        )

    def push(self, api: httpx.Client) -> None:
        """Send every unanswered transfer (a repeat of an applied one returns 200 and applies nothing)."""
        while self.pending:
            body = self.pending[0]
            response = api.post("/v1/transfers", json=body)
            assert response.status_code in (200, 201, 409), response.text
            self.answered[str(body["idempotencyKey"])] = response.status_code
            self.pending.pop(0)

    def step(self, api: httpx.Client) -> None:
        if self.rng.random() < 0.5:
            self.deposit()
        self.new_transfer()
        self.push(api)


def _cycle(work: Workload, hub: HubProcess, *, seconds: float | None) -> bool:
    """Run the workload against ``hub`` until it dies at its crash point or, with ``seconds``, kill it then;
    True if it died at its crash point."""
    deadline = time.monotonic() + (seconds if seconds is not None else 30.0)
    with hub.client() as api:
        try:
            while time.monotonic() < deadline and hub.proc.poll() is None:
                work.step(api)
        except (httpx.TransportError, httpx.HTTPStatusError):
            pass
    hub.wait_exit(0.5)
    crashed = hub.crashed
    hub.kill()
    return crashed


def test_kills_at_random_and_named_points_lose_and_double_nothing(
    devnet: Devnet, tmp_path: Path, database_url: str | None
) -> None:
    rng = random.Random(8)
    data = tmp_path / "hub"
    work = Workload(devnet, rng)

    def start(crash_at: str | None = None) -> HubProcess:
        return HubProcess(data, devnet.url, database_url=database_url, crash_at=crash_at)

    hub = start()
    with hub.client() as api:
        work.setup(api)
        for _ in range(4):
            work.deposit()
    hub.kill()
    crashed_at: list[str] = []
    for point in NAMED:
        hub = start(point)
        if _cycle(work, hub, seconds=None):
            crashed_at.append(point)
    for _ in range(RANDOM_KILLS):
        hub = start()
        _cycle(work, hub, seconds=rng.uniform(0.1, 1.2))

    hub = start()
    try:
        with hub.client() as api:
            work.push(api)
            # the scanner first catches up with what the node confirmed by now (after 200 restarts that can be
            # thousands of milestones), so that a missing deposit below is one lost, not one not yet scanned
            status = httpx.get(f"{devnet.url}/api/core/v2/info", timeout=10).json()["status"]
            target = status["confirmedMilestone"]["index"] + 1
            scanned = lambda: api.get("/v1/stats").json()["scannerNextMilestone"] or 0  # noqa: E731
            wait_for(f"the scanner to pass milestone {target}", lambda: scanned() > target, attempts=3000)
            found = _all_deposits(api)
            assert len(found) == work.payments, f"{len(found)} deposits recorded of {work.payments} payments"
            _check(api, work, found)
    finally:
        hub.stop()
    assert set(crashed_at) == set(NAMED), "a named crash point was never reached"


def _all_deposits(api: httpx.Client) -> list[dict[str, object]]:
    """Every deposit, page by page (the full drill makes over 2,000; one page holds 1,000 at most)."""
    found: list[dict[str, object]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 1000} | ({"cursor": cursor} if cursor else {})
        page = api.get("/v1/deposits", params=params).json()
        found += page["items"]
        cursor = page["nextCursor"]
        if not cursor:
            return found


def _check(api: httpx.Client, work: Workload, deposits: list[dict[str, object]]) -> None:
    assert len(deposits) == work.payments
    assert all(d["status"] == "credited" for d in deposits)
    events = api.get("/v1/events", params={"limit": 1000}).json()["items"]
    while len(events) % 1000 == 0 and events:
        more = api.get("/v1/events", params={"after": events[-1]["seq"], "limit": 1000}).json()["items"]
        if not more:
            break
        events += more
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), "the event log has a gap or is out of order"
    credited = [e["data"]["outputId"] for e in events if e["kind"] == "deposit.credited"]
    assert sorted(credited) == sorted(d["outputId"] for d in deposits), "a deposit was credited twice or never"
    applied = [e["data"]["idempotencyKey"] for e in events if e["kind"] == "transfer.applied"]
    assert len(applied) == len(set(applied)), "a transfer was applied twice"
    assert set(applied) == {k for k, status in work.answered.items() if status in (200, 201)}
    expected = dict.fromkeys(work.addresses, 0)
    for d in deposits:
        expected[str(d["userId"])] += int(str(d["creditedAmount"]))
    for e in events:
        if e["kind"] == "transfer.applied":
            for leg in e["data"]["legs"]:
                expected[leg["userId"]] += int(leg["amount"])
    for name, amount in expected.items():
        assert api.get(f"/v1/users/{name}/balance").json()["available"] == str(amount)
    report = api.get("/v1/reconciliation").json()
    assert report["differences"] == []
