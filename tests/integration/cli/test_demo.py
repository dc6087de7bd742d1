"""`tanglehub demo` (what `make run` runs): devnet + wallet + faucet deposit + confirmed send, end to end."""

from __future__ import annotations

import re
import subprocess
import sys
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
