"""``tanglehub devnet`` as a user starts it (a child process): a busy port, a data folder already in use,
SIGTERM, one line per dropped connection, and help that is not cut at 80 columns (issue 12, section 2)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.devnet.server import free_port

CLI = [sys.executable, "-m", "tanglehub.cli.main", "devnet"]


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _start(log: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([*CLI, "--port", str(port), *args], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(url + "/health", timeout=1).status_code == 200
        except httpx.TransportError:
            assert proc.poll() is None, log.read_text()
            return False

    _wait_for(up)
    return proc, url


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, check=False, env=env)


def test_a_busy_port_is_one_error_line_and_exit_2_before_anything_else(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        data = tmp_path / "data"
        result = _run("--port", str(port), "--data-dir", str(data), "--milestone-interval", "0")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert f"port {port}" in lines[0]
    assert "--port" in lines[0]
    assert result.stdout == ""
    # nothing was started: no banner, no mnemonic, no data folder, no milestone
    assert not data.exists()


def test_a_second_devnet_on_the_same_data_dir_is_refused_and_sigterm_stops_the_first_cleanly(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    log = tmp_path / "first.log"
    first, url = _start(log, "--data-dir", str(data), "--milestone-interval", "0")
    try:
        index = httpx.post(url + "/api/devnet/v1/milestones").json()["index"]
        second = _run("--port", str(free_port()), "--data-dir", str(data), "--milestone-interval", "0")
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert lines[0].startswith("error: the data folder ")
        assert f"in use by another process (pid {first.pid})" in lines[0]
        assert "New faucet mnemonic" not in second.stderr
        # the refused process wrote nothing: the first one still serves its own milestone
        assert httpx.get(url + "/api/core/v2/info").json()["status"]["latestMilestone"]["index"] == index
    finally:
        first.send_signal(signal.SIGTERM)
        code = first.wait(20)
    assert code == 0, log.read_text()
    out = log.read_text()
    assert "devnet stopped" in out
    assert "Traceback" not in out
    # SIGTERM shut it down cleanly: the data folder is free again and holds the milestone
    node = DevnetNode(DevnetConfig(data_dir=data, milestone_interval=0))
    try:
        assert node.latest_index == index
    finally:
        node.close()


def test_dropped_connections_log_one_line_each_without_a_traceback(tmp_path: Path) -> None:
    log = tmp_path / "devnet.log"
    proc, url = _start(log, "--milestone-interval", "0")
    try:
        httpx.post(url + "/api/devnet/v1/faults", json={"dropRate": 1.0})
        for _ in range(3):
            with pytest.raises(httpx.TransportError):
                httpx.get(url + "/api/core/v2/info")
        httpx.post(url + "/api/devnet/v1/faults", json={"dropRate": 0.0})
        assert httpx.get(url + "/api/core/v2/info").status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
    out = log.read_text()
    dropped = [line for line in out.splitlines() if "dropped the connection of GET /api/core/v2/info" in line]
    assert len(dropped) == 3, out
    assert "Traceback" not in out
    assert "Exception in ASGI application" not in out


def test_help_option_names_are_not_cut_at_80_columns() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TERMINAL_WIDTH"} | {"COLUMNS": "80"}
    result = _run("--help", env=env)
    assert result.returncode == 0
    names = ("--faucet-mnemonic-file", "--no-pause-milestones", "--milestone-interval", "--hold-next-blocks")
    for option in names:
        assert option in result.stdout
    assert "…" not in result.stdout


def test_a_bad_log_level_is_one_error_line() -> None:
    result = _run("--port", "0", "--log-level", "loud")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: unknown log level 'loud'; use one of debug, info, warning, error"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "error: port 70000 is outside 0..65535"),
        (["--host", "no.such.host.invalid", "--port", "0"], "error: cannot listen on host 'no.such.host.invalid'"),
    ],
    ids=["port-range", "unknown-host"],
)
def test_a_bad_listen_address_is_one_error_line(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(message)
