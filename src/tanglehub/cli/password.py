"""The vault password of ``tanglehub hub`` and ``tanglehub signer``: from an environment variable, else from a
hidden prompt on the terminal (never from the command line, so it stays out of the shell history and ``ps``).
"""

from __future__ import annotations

import getpass
import os
import sys

from tanglehub.errors import TanglehubError

__all__ = ["read_password"]


def read_password(
    env: str,
    *,
    prompt: str,
    what: str,
    error: type[TanglehubError],
    confirm: bool,
    undone: str,
) -> str:
    """The password in the environment variable ``env``, else typed after ``prompt`` (twice with ``confirm``).

    ``what`` names the password in messages (e.g. ``"vault password"``); ``undone`` says what a mismatch left
    undone (e.g. ``"created"``).

    Raises:
        error: no terminal to prompt on and no environment variable, the two entries differ, or it is empty.
    """
    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        raise error(f"no {what}: set {env} or run in a terminal to be prompted")
    typed = getpass.getpass(prompt)
    if confirm and getpass.getpass("repeat the password: ") != typed:
        raise error(f"the two passwords differ; nothing was {undone}")
    if not typed:
        raise error(f"the {what} must not be empty")
    return typed
