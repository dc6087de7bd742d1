"""More than one hub process: on SQLite a second one is refused; on PostgreSQL two run side by side, exactly one
scans (advisory lock), and when it is killed mid-scan the standby takes over: nothing credited twice, nothing
missed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.devnet_process import Devnet, devnet_in
from tests.hub.conftest import PG_ENV
from tests.hub.process import HubProcess
from tests.hub.test_scenario import wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    yield from devnet_in(tmp_path, faucet_amount=1_000_000)


def test_a_second_process_on_one_sqlite_hub_is_refused(devnet: Devnet, tmp_path: Path) -> None:
    first = HubProcess(tmp_path / "hub", devnet.url)
    try:
        with pytest.raises(RuntimeError, match="did not start") as refused:
            HubProcess(tmp_path / "hub", devnet.url, start_timeout=30)
        assert "another hub process" in str(refused.value)
        with first.client() as api:
            assert api.get("/v1/stats").status_code == 200
    finally:
        first.stop()


@pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} is not set")
def test_the_standby_takes_over_when_the_scanner_dies_mid_scan(
    devnet: Devnet, tmp_path: Path, database_url: str | None, db_kind: str
) -> None:
    if db_kind != "postgres":
        pytest.skip("several processes need PostgreSQL")
    first = HubProcess(tmp_path / "a", devnet.url, database_url=database_url, crash_at="scan-inside:4")
    second = HubProcess(tmp_path / "b", devnet.url, database_url=database_url)
    try:
        with second.client() as api:
            addresses = []
            for i in range(5):
                api.post("/v1/users", json={"userId": f"p{i}"}).raise_for_status()
                got = wait_for(
                    "an address",
                    lambda i=i: (r := api.post(f"/v1/users/p{i}/deposit-addresses")).status_code == 201 and r,
                )  # type: ignore[misc]
                addresses.append(got.json()["address"])
            payments = 0
            for _ in range(6):
                for address in addresses:
                    devnet.faucet(address)
                    payments += 1
                devnet.milestone()
            assert first.wait_exit(60) is not None, "the first process never reached its crash point"
            assert first.crashed
            deposits = lambda: api.get("/v1/deposits", params={"limit": 1000}).json()["items"]  # noqa: E731
            wait_for("the standby to scan every payment", lambda: len(deposits()) == payments)
            items = deposits()
            assert all(d["status"] == "credited" for d in items)
            events = api.get("/v1/events", params={"limit": 1000, "kinds": "deposit.credited"}).json()["items"]
            credited = [e["data"]["outputId"] for e in events if e["kind"] == "deposit.credited"]
            assert sorted(credited) == sorted(d["outputId"] for d in items)
            assert api.get("/v1/reconciliation").json()["differences"] == []
    finally:
        first.kill()
        second.stop()
