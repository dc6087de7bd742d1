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


@pytest.mark.parametrize(
    ("args", "variable"),
    [
        (("hub", "serve", "--data-dir", "hub", "--api-only", "true"), "TANGLEHUB_HUB_PASSWORD"),
        (("hub", "apikey", "list", "extra"), "TANGLEHUB_HUB_PASSWORD"),
        (("hub", "status", "extra"), "TANGLEHUB_HUB_PASSWORD"),
        (("signer", "init", "--data-dir", "s", "extra"), "TANGLEHUB_SIGNER_PASSWORD"),
        (("wallet", "balance", "extra"), "TANGLEHUB_WALLET_PASSWORD"),
        (("keys", "generate", "extra"), ""),
    ],
)
def test_extra_arguments_advice_names_the_commands_own_password_variable(
    args: tuple[str, ...], variable: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``hub serve --api-only true`` used to say "set TANGLEHUB_WALLET_PASSWORD": the hub never reads it."""
    from tanglehub.cli.main import main

    assert main(list(args)) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: got 1 unexpected extra argument (not shown")
    named = set(re.findall(r"TANGLEHUB_\w+", error))
    assert named == ({variable} if variable else set())
    if not variable:
        assert "password" not in error


def test_a_flag_given_a_value_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    from tanglehub.cli.main import main

    assert main(["hub", "serve", "--api-only", "true"]) == 2
    error = capsys.readouterr().err
    assert "--api-only is a flag and takes no value (write --api-only alone)" in error
    assert "true" not in error


def _paths(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _paths(sub, (*path, name))
    return found


def test_flags_show_no_value_placeholder_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Typer shows ``--api-only <bool>``, which reads as if ``--api-only true`` were how to write it; every
    command's help shows flags (``--help`` included) without a placeholder, and options that take a value keep
    theirs."""
    from tanglehub.cli.main import command_tree, main

    paths = _paths(command_tree())
    assert ("hub", "serve") in paths
    for path in paths:
        assert main([*path, "--help"]) == 0, path
        out = capsys.readouterr().out
        assert "<bool>" not in out, path
        assert re.search(r"--help +Show this message", out), (path, out)
    main(["hub", "serve", "--help"])
    out = capsys.readouterr().out
    assert re.search(r"--api-only +Serve the API", out), out
    assert re.search(r"--port +<int> +Listen port", out), out
