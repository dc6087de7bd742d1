"""The withdrawal scenario over real HTTP (devnet and hub as child processes, SQLite and PostgreSQL): funded
users, withdrawals of random amounts, some cancelled, some above the approval threshold (approved), some
repeated with their Idempotency-Key (same withdrawal) or with another amount under it (refused), and invalid
ones, each refused with its code; then every valid withdrawal is paid by exactly one output on the devnet's
ledger with the right address and amount, cancelled ones by none, and balances and reconciliation match.

CI-sized by default (20 users, 100 withdrawals: every kind above still occurs, at least twice);
``TANGLEHUB_FAULTS_FULL=1`` (``make faults``) runs the full 50 users and 500 withdrawals."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.devnet_process import Devnet, devnet_in
from tests.hub.payouts.flows import FULL, destination, fund_users, ledger_amounts, wait_settled
from tests.hub.payouts.process import PayoutHubProcess

from tanglehub.protocol.address import Ed25519Address

pytestmark = [pytest.mark.slow]

USERS = 50 if FULL else 20
WITHDRAWALS = 500 if FULL else 100
THRESHOLD = 400_000_000


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    yield from devnet_in(tmp_path)


def test_withdrawals_paid_exactly_once(devnet: Devnet, tmp_path: Path, database_url: str | None) -> None:
    hub = PayoutHubProcess(tmp_path / "hub", devnet.url, database_url=database_url, approval_threshold=THRESHOLD)
    try:
        with hub.client() as api:
            _run(api, devnet)
    finally:
        hub.stop()


def _run(api, devnet: Devnet) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(11)
    names = [f"user-{i:02}" for i in range(USERS)]
    fund_users(api, devnet.url, names)
    start = {n: int(api.get(f"/v1/users/{n}/balance").json()["available"]) for n in names}
    # invalid requests, each refused with its code
    smr = destination(0).replace("tst1", "smr1", 1)
    refusals = {
        "HUB_WITHDRAWAL_ADDRESS_INVALID": {"userId": names[0], "address": smr, "amount": "1000000"},
        "HUB_WITHDRAWAL_BELOW_MINIMUM": {"userId": names[0], "address": destination(1), "amount": "5"},
        "HUB_INSUFFICIENT_BALANCE": {
            "userId": names[0],
            "address": destination(1),
            "amount": str(start[names[0]] + 1),
        },
        "HUB_WITHDRAWAL_AMOUNT_INVALID": {"userId": names[0], "address": destination(1), "amount": "1.5"},
    }
    for code, body in refusals.items():
        r = api.post("/v1/withdrawals", json=body, headers={"Idempotency-Key": f"bad-{code}"})
        assert r.status_code in (409, 422), r.text
        assert r.json()["code"] == code, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    foreign = {
        "userId": names[0],
        "address": Ed25519Address(b"\x11" * 32).to_bech32("smr"),
        "amount": "1000000",
    }
    r = api.post("/v1/withdrawals", json=foreign, headers={"Idempotency-Key": "bad-net"})
    assert r.json()["code"] == "HUB_WITHDRAWAL_WRONG_NETWORK", r.text
    assert "Shimmer mainnet" in r.json()["detail"]
    wanted: dict[str, tuple[str, str, int]] = {}  # withdrawal id -> (user, address, amount)
    cancel: list[str] = []
    for i in range(WITHDRAWALS):
        user = names[i % USERS]
        amount = rng.randrange(1_000_000, 60_000_000) if i % 25 else THRESHOLD + rng.randrange(1, 10_000_000)
        body = {"userId": user, "address": destination(1000 + i), "amount": str(amount)}
        r = api.post("/v1/withdrawals", json=body, headers={"Idempotency-Key": f"w-{i}"})
        assert r.status_code == 201, r.text
        wid = r.json()["id"]
        wanted[wid] = (user, body["address"], amount)
        if i % 50 == 7:
            again = api.post("/v1/withdrawals", json=body, headers={"Idempotency-Key": f"w-{i}"})
            assert again.status_code == 200
            assert again.json()["id"] == wid
            other = api.post(
                "/v1/withdrawals", json={**body, "amount": str(amount + 1)}, headers={"Idempotency-Key": f"w-{i}"}
            )
            assert other.status_code == 409
            assert other.json()["code"] == "HUB_IDEMPOTENCY_CONFLICT"
        if r.json()["state"] == "awaiting_approval" and i % 50 == 0:
            cancel.append(wid)
    for wid in cancel:
        r = api.post(f"/v1/withdrawals/{wid}/cancel")
        assert r.json()["state"] == "cancelled", r.text
    waiting = api.get("/v1/withdrawals", params={"state": "awaiting_approval", "limit": 1000}).json()["items"]
    assert waiting
    for w in waiting:
        assert api.post(f"/v1/withdrawals/{w['id']}/approve").json()["state"] == "queued"
    rows = {r["id"]: r for r in wait_settled(api)}
    paid: dict[str, int] = dict.fromkeys(names, 0)
    for wid, (user, address, amount) in wanted.items():
        row = rows[wid]
        on_ledger = ledger_amounts(devnet.url, address)
        if wid in cancel:
            assert row["state"] == "cancelled"
            assert on_ledger == []
            continue
        assert row["state"] == "confirmed", row
        assert row["transactionId"]
        assert row["milestone"]
        assert on_ledger == [amount], (wid, on_ledger)
        paid[user] += amount
    for n in names:
        assert int(api.get(f"/v1/users/{n}/balance").json()["available"]) == start[n] - paid[n]
    report = api.get("/v1/reconciliation").json()
    assert report["ok"], report["differences"]
