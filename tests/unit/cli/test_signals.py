"""SIGTERM treated like Ctrl-C inside ``sigterm_as_interrupt`` (the shared helper of long-running commands)."""

from __future__ import annotations

import signal

import pytest

from tanglehub.cli.signals import sigterm_as_interrupt


def _terminate() -> None:
    with sigterm_as_interrupt():
        signal.raise_signal(signal.SIGTERM)


def test_sigterm_raises_keyboard_interrupt_inside_and_the_old_handler_is_back_after() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        _terminate()
    assert signal.getsignal(signal.SIGTERM) == before
