"""`tanglehub demo` (what `make run` runs): devnet + wallet + faucet deposit + confirmed send, end to end."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tanglehub.cli.main", "demo", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.slow
def test_demo_funds_sends_and_confirms(tmp_path: Path) -> None:
    result = _run("--port", "0", "--exit", "--wallet-dir", str(tmp_path / "w"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "faucet      credited 1,000.000000 to user-alice" in out
    assert re.search(r"tracking    transaction confirmed in milestone \d+", out)
    assert "balance     exchange-hot-wallet: total 250.000000, available 250.000000" in out
    assert "balance     user-alice: total 750.000000, available 750.000000" in out
    assert "NewOutput" in out
    assert "TransactionInclusion" in out
    # the demo's wallet is real: an encrypted vault and a state store, and no mnemonic in the output
    assert (tmp_path / "w" / "wallet.vault").exists()
    assert (tmp_path / "w" / "wallet.db").exists()
    assert not re.search(r"(\b[a-z]{3,8}\b ){23}\b[a-z]{3,8}\b", out)


def test_demo_refuses_a_non_empty_wallet_dir(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    result = _run("--port", "0", "--exit", "--wallet-dir", str(tmp_path))
    assert result.returncode == 2
    assert "is not empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_refuses_a_bad_port() -> None:
    result = _run("--port", "70000", "--exit")
    assert result.returncode == 2
    assert "port must be between 0 and 65535" in result.stderr


def test_demo_refuses_a_file_as_wallet_dir(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    result = _run("--port", "0", "--exit", "--wallet-dir", str(target))
    assert result.returncode == 2
    assert "is a file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_sigterm_stops_the_demo_cleanly_and_removes_its_temporary_folder(tmp_path: Path) -> None:
    """What stopping ``make run`` with systemd/Docker/``timeout`` does; the hints name runnable programs."""
    env = os.environ | {"TMPDIR": str(tmp_path)}
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tanglehub.cli.main", "demo", "--port", "0"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=Path(sys.executable).parents[2],  # the repository, as `make run` runs it
        )
    try:
        deadline = time.monotonic() + 120
        while "Press Ctrl-C to stop." not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert list(tmp_path.glob("tanglehub-demo-*")), "the demo keeps its wallet in a temporary folder"
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(30)
    out = log.read_text()
    assert code == 0, out
    assert "devnet stopped" in out
    assert "Traceback" not in out
    assert list(tmp_path.glob("tanglehub-demo-*")) == []
    # the "Try:" hints name the environment's own programs, which exist (not a bare `tanglehub`/`python`)
    hints = out.split("Try:", 1)[1]
    tools = [line.split()[0] for line in hints.splitlines() if "keys generate" in line or "examples/" in line]
    assert len(tools) == 2, hints
    for tool in tools:
        assert tool not in ("tanglehub", "python"), hints
        assert (Path(sys.executable).parents[2] / tool).exists(), tool
