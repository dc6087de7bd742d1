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


def test_review1_start_up_errors_give_the_right_advice(tmp_path: Path) -> None:
    """Review 1 #16: an address the machine does not have is a --host problem (not a busy port); a data folder
    that is a file says so; bad fault values name the flag (command line) or the JSON key (API)."""
    foreign = _run("--host", "192.0.2.1", "--port", "0")  # TEST-NET-1: never an address of this machine
    assert foreign.returncode == 2, foreign.stderr
    assert "pass --host" in foreign.stderr
    assert "--port" not in foreign.stderr
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    as_file = _run("--port", "0", "--data-dir", str(a_file))
    assert as_file.returncode == 2, as_file.stderr
    assert "is not a folder" in as_file.stderr
    assert "File exists" not in as_file.stderr
    bad_rate = _run("--port", "0", "--error-rate", "2")
    assert bad_rate.returncode == 2, bad_rate.stderr
    assert "--error-rate must be between 0 and 1" in bad_rate.stderr
    proc, url = _start(tmp_path / "log", "--milestone-interval", "0")
    try:
        for key in ("errorRate", "dropRate", "loseBlockRate"):
            answer = httpx.post(url + "/api/devnet/v1/faults", json={key: 2})
            assert answer.status_code == 400
            assert key in answer.text
            assert "_rate" not in answer.text
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0


def test_review1_sigterm_during_start_up_never_loses_the_new_faucet_mnemonic(tmp_path: Path) -> None:
    """Review 1 #14: stopped as soon as the new faucet mnemonic is on disk, the devnet has either shown it or
    says where it is."""
    data = tmp_path / "data"
    log = tmp_path / "log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*CLI, "--port", "0", "--data-dir", str(data), "--milestone-interval", "0"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    mnemonic_file = data / "faucet-mnemonic.txt"
    _wait_for(lambda: mnemonic_file.exists() and mnemonic_file.read_text().strip() != "")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) in (0, 130)
    out = log.read_text()
    assert mnemonic_file.read_text().strip() in out or f"stored in {mnemonic_file}" in out, out
    assert "Traceback" not in out
