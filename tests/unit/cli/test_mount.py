"""``tanglehub GROUP ...`` mounts and imports that group alone (a wallet command does not pay for importing the
hub and the signing server); help and errors read the same as with every command mounted."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from tanglehub.cli.main import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("tanglehub.hub.settings", "tanglehub.signer", "tanglehub.devnet") if m in sys.modules)
print("loaded:", ",".join(heavy), "exit:", code)
"""


def _probe(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout.splitlines()[-1]


def test_a_wallet_command_imports_neither_the_hub_nor_the_signer_nor_the_devnet() -> None:
    assert _probe("wallet", "--help") == "loaded:  exit: 0"


def test_top_level_help_mounts_every_command() -> None:
    assert _probe("--help") == "loaded: tanglehub.devnet,tanglehub.hub.settings,tanglehub.signer exit: 0"


@pytest.mark.parametrize("first", [["wallet", "--help"], ["decode", "--help"], ["hub", "--help"]])
def test_top_level_help_after_another_command_lists_every_command_in_order(
    first: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from tanglehub.cli.main import command_tree, main

    assert main(["--help"]) == 0
    fresh = capsys.readouterr().out
    assert main(first) == 0
    capsys.readouterr()
    assert main(["--help"]) == 0
    assert capsys.readouterr().out == fresh
    assert set(getattr(command_tree(), "commands", {})) == {
        "keys",
        "decode",
        "devnet",
        "wallet",
        "signer",
        "hub",
        "selfcheck",
        "demo",
    }
