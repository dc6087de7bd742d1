"""Usage mistakes at the real command line give a usage hint and one error, exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _tanglehub(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tanglehub.cli.main", *args],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nosuch",), "No such command 'nosuch'"),
        (("keys", "derive"), "Missing option '--coin-type'"),
        (("keys", "derive", "--coin-type", "x", "--hrp", "tst"), "Invalid value for '--coin-type'"),
        (("decode", "block"), "Missing argument"),
        (("devnet", "--port", "many"), "Invalid value for '--port'"),
    ],
)
def test_usage_mistakes_are_reported_without_a_traceback(args: tuple[str, ...], message: str) -> None:
    result = _tanglehub(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_help_exits_zero() -> None:
    result = _tanglehub("--help")
    assert result.returncode == 0
    assert "keys" in result.stdout
    assert "devnet" in result.stdout
