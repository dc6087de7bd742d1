"""The devnet over real HTTP on 127.0.0.1: uvicorn in a thread, and the CLI in a child process."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.server import BackgroundServer, free_port


def _wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_timer_milestones_and_faucet_over_http() -> None:
    with (
        BackgroundServer(DevnetConfig(port=0, milestone_interval=0.2)) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        _wait_for(lambda: http.get("/api/core/v2/info").json()["status"]["latestMilestone"]["index"] >= 2)
        info = http.get("/api/core/v2/info").json()
        assert abs(info["status"]["latestMilestone"]["timestamp"] - time.time()) < 5
        faucet = http.get("/api/devnet/v1/faucet").json()["address"]
        r = http.post("/api/plugins/faucet/v1/enqueue", json={"address": faucet})
        assert r.status_code == 202
        block_id = r.json()["blockId"]
        _wait_for(lambda: "ledgerInclusionState" in http.get(f"/api/core/v2/blocks/{block_id}/metadata").json())
        assert http.get(f"/api/core/v2/blocks/{block_id}/metadata").json()["ledgerInclusionState"] == "included"


def test_dropped_connection_over_http() -> None:
    with (
        BackgroundServer(DevnetConfig(port=0, milestone_interval=0)) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        http.post("/api/devnet/v1/faults", json={"dropRate": 1.0})
        with pytest.raises(httpx.TransportError):
            http.get("/api/core/v2/info")
        http.post("/api/devnet/v1/faults", json={"dropRate": 0.0})
        assert http.get("/api/core/v2/info").status_code == 200


def _start_cli(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "tanglehub.cli.main", "devnet", "--port", str(port), "--data-dir", str(data_dir)]
    args += ["--milestone-interval", "0"]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(url + "/health", timeout=1).status_code == 200
        except httpx.TransportError:
            assert proc.poll() is None, log.read_text()
            return False

    _wait_for(up, 30)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGINT)
    return proc.wait(15)


def test_cli_persists_across_ctrl_c_and_restart(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = tmp_path / "data"
    proc = _start_cli(data, port, tmp_path / "run1.log")
    try:
        faucet = httpx.get(url + "/api/devnet/v1/faucet").json()["address"]
        httpx.post(url + "/api/plugins/faucet/v1/enqueue", json={"address": faucet})
        index = httpx.post(url + "/api/devnet/v1/milestones").json()["index"]
        before = httpx.get(url + "/api/indexer/v1/outputs", params={"unlockableByAddress": faucet}).json()
        changes = httpx.get(f"{url}/api/core/v2/milestones/by-index/{index}/utxo-changes").json()
    finally:
        _stop(proc)
    first_log = (tmp_path / "run1.log").read_text()
    assert "New faucet mnemonic" in first_log
    assert "milestone 1 " in first_log
    assert "devnet stopped" in first_log

    proc = _start_cli(data, port, tmp_path / "run2.log")
    try:
        after = httpx.get(url + "/api/indexer/v1/outputs", params={"unlockableByAddress": faucet}).json()
        assert after == before
        assert httpx.get(f"{url}/api/core/v2/milestones/by-index/{index}/utxo-changes").json() == changes
        assert httpx.get(url + "/api/core/v2/info").json()["status"]["latestMilestone"]["index"] == index
    finally:
        _stop(proc)
    assert "New faucet mnemonic" not in (tmp_path / "run2.log").read_text()
