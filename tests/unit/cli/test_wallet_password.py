"""``tanglehub wallet``'s password readers (tanglehub.cli.wallet.common): environment first, else the terminal."""

from __future__ import annotations

import pytest

from tanglehub.cli.wallet import common
from tanglehub.wallet import WalletArgumentError

ENV = "TANGLEHUB_TEST_NEW_PASSWORD"


def _terminal(monkeypatch: pytest.MonkeyPatch, entries: list[str | None]) -> list[str]:
    asked: list[str] = []
    answers = iter(entries)

    def prompt(text: str) -> str | None:
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(common, "_tty_prompt", prompt)
    monkeypatch.delenv(ENV, raising=False)
    return asked


def test_new_password_asked_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _terminal(monkeypatch, ["a new password", "a new password"])
    assert common.new_password(ENV, "new password") == "a new password"
    assert asked == ["new password: ", "new password (again): "]


def test_new_password_mismatch_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch, ["one secret", "another secret"])
    with pytest.raises(WalletArgumentError, match="the two new passwords differ; nothing was changed") as caught:
        common.new_password(ENV, "new password")
    assert "secret" not in str(caught.value)


def test_new_password_without_terminal_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _terminal(monkeypatch, [None])
    with pytest.raises(WalletArgumentError, match=f"no new password: set {ENV} or run the command in a terminal"):
        common.new_password(ENV, "new password")
    assert asked == ["new password: "]  # not asked a second time


def test_environment_is_not_prompted(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _terminal(monkeypatch, [])
    monkeypatch.setenv(ENV, "from the environment")
    assert common.new_password(ENV, "new password") == "from the environment"
    assert common.password(ENV, "new password") == "from the environment"
    assert asked == []
