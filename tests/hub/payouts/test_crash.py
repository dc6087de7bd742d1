"""Crash drill of the payouts: the hub is SIGKILLed again and again — at random moments and at named points in
requesting, batching, signing, submitting and confirming — while the devnet answers 30% of requests with 5xx,
drops 5% of connections and holds blocks (so they must be reissued). Clients retry every unanswered withdrawal
request with the same Idempotency-Key. After the last restart (faults off): every withdrawal exists once per
key, is paid by exactly one output on the ledger with its amount, confirmed once (one event), nothing refunded,
balances and reconciliation match.

CI-sized by default (``KILLS`` SIGKILLs); ``TANGLEHUB_FAULTS_FULL=1`` runs at least 200. On PostgreSQL a second
variant runs two hub processes on one database (the batcher in one at a time, by advisory lock) and kills
either of them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.devnet_process import Devnet, devnet_in
from tests.hub.payouts.flows import FULL, destination, fund_users, ledger_amounts, wait_settled
from tests.hub.payouts.process import PayoutHubProcess

pytestmark = [pytest.mark.slow]

KILLS = 220 if FULL else 8
USERS = 8
POINTS = (
    "withdraw-inside",
    "build-after",
    "sign-after",
    "submit-before-post",
    "submit-after-post",
    "confirm-inside",
    "confirm-after",
)
FAULTS = {"errorRate": 0.3, "dropRate": 0.05, "holdNextBlocks": 3, "seed": 7}


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    yield from devnet_in(tmp_path)


def _faults(devnet: Devnet, settings: dict[str, object]) -> None:
    httpx.post(f"{devnet.url}/api/devnet/v1/faults", json=settings, timeout=10).raise_for_status()


def _start(data_dir: Path, devnet: Devnet, database_url: str | None, crash_at: str | None) -> PayoutHubProcess:
    """Start a hub, retrying while the faulty node makes its start-up check fail."""
    for _ in range(50):
        try:
            return PayoutHubProcess(data_dir, devnet.url, database_url=database_url, crash_at=crash_at)
        except RuntimeError:
            time.sleep(0.2)
    raise AssertionError("the hub never started")


@pytest.mark.parametrize("processes", [1, 2])
def test_sigkills_pay_each_withdrawal_exactly_once(
    devnet: Devnet, tmp_path: Path, database_url: str | None, processes: int
) -> None:
    if processes == 2 and database_url is None:
        pytest.skip("two hub processes need PostgreSQL (SQLite allows one process)")
    rng = random.Random(2026 + processes)
    dirs = [tmp_path / f"hub{i}" for i in range(processes)]
    first = _start(dirs[0], devnet, database_url, None)
    names = [f"u{i}" for i in range(USERS)]
    with first.client() as api:
        fund_users(api, devnet.url, names)
        start = {n: int(api.get(f"/v1/users/{n}/balance").json()["available"]) for n in names}
    token = first.token
    hubs: list[PayoutHubProcess | None] = [first] + [_start(d, devnet, database_url, None) for d in dirs[1:]]
    for d in dirs[1:]:
        (d / "admin.key").write_text(token)
    try:
        _drill(devnet, dirs, hubs, rng, names, start, token, database_url, processes)
    finally:
        for h in hubs:
            if h is not None:
                h.kill()


def _drill(
    devnet: Devnet,
    dirs: list[Path],
    hubs: list[PayoutHubProcess | None],
    rng: random.Random,
    names: list[str],
    start: dict[str, int],
    token: str,
    database_url: str | None,
    processes: int,
) -> None:
    _faults(devnet, FAULTS)
    planned: dict[str, dict[str, str]] = {}
    unanswered: list[str] = []
    answered: dict[str, str] = {}
    kills = 0
    counter = 0
    while kills < KILLS:
        victim = rng.randrange(processes)
        crash_at = f"{rng.choice(POINTS)}:{rng.randint(1, 2)}" if kills % 3 == 0 else None
        old = hubs[victim]
        if old is not None:
            old.kill()
        hubs[victim] = _start(dirs[victim], devnet, database_url, crash_at)
        hub = hubs[victim]
        assert hub is not None
        for _ in range(rng.randint(1, 6)):
            if unanswered and rng.random() < 0.5:
                key = unanswered.pop(0)
            else:
                counter += 1
                key = f"c-{counter}"
                user = names[counter % USERS]
                planned[key] = {
                    "userId": user,
                    "address": destination(counter),
                    "amount": str(rng.randrange(1_000_000, 9_000_000)),
                }
            try:
                r = httpx.post(
                    f"{hub.url}/v1/withdrawals",
                    json=planned[key],
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                    timeout=5,
                )
            except httpx.TransportError:
                unanswered.append(key)
                continue
            if r.status_code >= 500:
                unanswered.append(key)
                continue
            assert r.status_code in (200, 201), r.text
            assert answered.setdefault(key, r.json()["id"]) == r.json()["id"]
        time.sleep(rng.uniform(0.05, 1.2))
        if crash_at is not None:  # give the named point a few seconds to be reached, then kill anyway
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and hub.alive() and not hub.crashed:
                time.sleep(0.1)
        hub.kill()
        hubs[victim] = None
        kills += 1
    _faults(devnet, {"errorRate": 0.0, "dropRate": 0.0, "holdNextBlocks": 0})
    final = _start(dirs[0], devnet, database_url, None)
    try:
        with final.client() as api:
            for key in unanswered:
                r = api.post("/v1/withdrawals", json=planned[key], headers={"Idempotency-Key": key})
                assert r.status_code in (200, 201), r.text
                assert answered.setdefault(key, r.json()["id"]) == r.json()["id"]
            rows = {r["id"]: r for r in wait_settled(api)}
            assert len(rows) == len(answered)  # one withdrawal per key, whatever the retries
            paid = dict.fromkeys(names, 0)
            for key, wid in answered.items():
                body = planned[key]
                assert rows[wid]["state"] == "confirmed", (rows[wid]["reasonCode"], rows[wid]["reason"])
                assert ledger_amounts(devnet.url, body["address"]) == [int(body["amount"])]
                paid[body["userId"]] += int(body["amount"])
            for n in names:
                assert int(api.get(f"/v1/users/{n}/balance").json()["available"]) == start[n] - paid[n]
            confirmed = api.get("/v1/events", params={"kinds": "withdrawal.confirmed", "limit": 1000}).json()
            ids = [e["data"]["withdrawalId"] for e in confirmed["items"]]
            assert sorted(ids) == sorted(answered.values())
            refunds = api.get("/v1/events", params={"kinds": "withdrawal.failed,withdrawal.cancelled"}).json()
            assert refunds["items"] == []
            report = api.get("/v1/reconciliation").json()
            assert report["ok"], report["differences"]
    finally:
        final.stop()
