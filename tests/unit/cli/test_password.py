"""The shared vault-password reader of ``tanglehub hub`` and ``tanglehub signer`` (tanglehub.cli.password)."""

from __future__ import annotations

import getpass
import io
import sys
from collections.abc import Iterator

import pytest

from tanglehub.cli import password as password_module
from tanglehub.cli.hub import read_password as hub_password
from tanglehub.errors import ConfigError
from tanglehub.signer.errors import SignerConfigError

ENV = "TANGLEHUB_TEST_PASSWORD"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _typed(monkeypatch: pytest.MonkeyPatch, entries: list[str]) -> list[str]:
    """Answer the hidden prompts with ``entries``; the prompts asked are collected in the returned list."""
    asked: list[str] = []
    answers: Iterator[str] = iter(entries)

    def fake_getpass(prompt: str = "") -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", _Tty())
    return asked


def _read(confirm: bool) -> str:
    return password_module.read_password(
        ENV, prompt="vault password: ", what="vault password", error=ConfigError, confirm=confirm, undone="created"
    )


def test_environment_wins_without_prompting(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _typed(monkeypatch, [])
    monkeypatch.setenv(ENV, "from the environment")
    assert _read(confirm=True) == "from the environment"
    assert asked == []


def test_prompt_twice_with_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    asked = _typed(monkeypatch, ["hunter2 long", "hunter2 long"])
    assert _read(confirm=True) == "hunter2 long"
    assert asked == ["vault password: ", "repeat the password: "]


def test_differing_entries_refused_without_echoing_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    _typed(monkeypatch, ["first secret", "second secret"])
    with pytest.raises(ConfigError, match="differ; nothing was created") as caught:
        _read(confirm=True)
    assert "secret" not in str(caught.value)


def test_empty_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    _typed(monkeypatch, [""])
    with pytest.raises(ConfigError, match="the vault password must not be empty"):
        _read(confirm=False)


def test_no_terminal_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    with pytest.raises(SignerConfigError, match=f"no password: set {ENV}"):
        password_module.read_password(
            ENV, prompt="p: ", what="password", error=SignerConfigError, confirm=False, undone="written"
        )


def test_hub_reads_its_own_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANGLEHUB_HUB_PASSWORD", "hub secret")
    assert hub_password() == "hub secret"
