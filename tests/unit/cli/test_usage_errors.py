"""Usage mistakes at the real command line give a usage hint and one error, exit code 2, never a traceback."""

from __future__ import annotations

import re
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


_WORDS = [
    "abandon",
    "ability",
    "able",
    "about",
    "above",
    "absent",
    "absorb",
    "abstract",
    "absurd",
    "abuse",
    "access",
    "accident",
]


@pytest.mark.parametrize(
    "args",
    [
        ("keys", "derive", "--coin-type", "4219", "--hrp", "tst", *_WORDS),
        ("keys", "derive", "--coin-type", "4219", "--hrp", "tst", " ".join(_WORDS)),
        ("keys", "derive", "--coin-type", _WORDS[0], "--hrp", "tst"),
        ("keys", "derive", f"--coin-type={_WORDS[1]}", "--hrp", "tst"),
        ("keys", _WORDS[2], *_WORDS[3:]),
        ("keys", "derive", f"--{_WORDS[3]}"),
        ("devnet", "--port", _WORDS[4]),
    ],
)
def test_usage_errors_never_echo_what_could_be_a_mnemonic(args: tuple[str, ...]) -> None:
    """A mnemonic typed on the command line by mistake is not repeated in the error (issue 12, section 3)."""
    result = _tanglehub(*args)
    assert result.returncode == 2
    assert "error:" in result.stderr
    assert "Traceback" not in result.stderr
    said = set(re.findall(r"[a-z]+", result.stderr.lower()))
    assert not said & set(_WORDS)


def test_extra_arguments_are_counted_not_shown() -> None:
    result = _tanglehub("keys", "derive", "--coin-type", "4219", "--hrp", "tst", *_WORDS)
    assert "got 12 unexpected extra arguments" in result.stderr
    assert "standard input" in result.stderr


def test_an_unexpected_exception_is_one_line_without_its_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug still ends in one line (its message could carry anything, so it is not printed)."""
    from tanglehub.cli import keys
    from tanglehub.cli.main import main

    def broken(words: int = 24) -> str:
        raise RuntimeError("abandon ability able")

    monkeypatch.setattr(keys, "generate_mnemonic", broken)
    monkeypatch.delenv("TANGLEHUB_DEBUG", raising=False)
    assert main(["keys", "generate"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected RuntimeError")
    assert "abandon" not in err
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setenv("TANGLEHUB_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["keys", "generate"])
