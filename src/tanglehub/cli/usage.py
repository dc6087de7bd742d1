"""Usage errors (unknown option, bad value, extra arguments) as one safe line: never echo what the user typed.

Click's own messages repeat the user's arguments (``Got unexpected extra arguments (abandon ability ...)``,
``'word' is not a valid integer``), so a mnemonic typed on the command line by mistake would land on the
terminal, in scroll-back and in CI logs. :func:`safe_usage_message` rebuilds the message of any click usage
error with every value the user supplied replaced by ``<hidden>``: extra arguments are only counted, values in
``Invalid value`` messages are hidden, and an unknown command or option name is shown only when it is not a
BIP39 word. Option names, parameter names, choices and ranges (which come from the program) stay.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

try:  # recent Typer vendors click as typer._click; its own exception classes are the ones raised
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption, UsageError
except ImportError:  # pragma: no cover - Typer versions that run on the click package
    from click.exceptions import (  # type: ignore[assignment]
        ClickException,
        NoArgsIsHelpError,
        NoSuchOption,
        UsageError,
    )

from tanglehub.keys.bip39 import is_bip39_word

__all__ = ["HIDDEN", "ClickException", "UsageError", "is_no_args_help", "safe_usage_message", "usage_hint"]

HIDDEN = "<hidden>"
"""What replaces a value the user typed."""

_EXTRA = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", re.DOTALL)
_NO_SUCH_COMMAND = re.compile(r"No such command (['\"])(.*?)\1", re.DOTALL)


def _values(argv: Sequence[str]) -> list[str]:
    """Every text the user typed that is not an option name: positional tokens, ``--opt=value`` values, and
    each word of a multi-word token; longest first so that replacing one never splits another."""
    found: set[str] = set()
    for token in argv:
        value = token.split("=", 1)[1] if token.startswith("-") and "=" in token else token
        if value.startswith("-") and value is token:
            continue
        if value:
            found.add(value)
            found.update(value.split())
    return sorted(found, key=len, reverse=True)


def _could_be_secret(name: str) -> bool:
    words = name.lstrip("-").replace("-", " ").replace("_", " ").split()
    return any(is_bip39_word(w) for w in words) or len(name.split()) > 1


def _hide(message: str, values: Sequence[str]) -> str:
    for value in values:
        for quoted in (repr(value), f'"{value}"', f"'{value}'"):
            message = message.replace(quoted, HIDDEN)
        if any(c.isalpha() for c in value):  # a bare number cannot be a mnemonic, and ranges print numbers
            message = re.sub(rf"(?<![\w<-]){re.escape(value)}(?![\w>])", HIDDEN, message)
    return message


def safe_usage_message(exc: UsageError, argv: Sequence[str]) -> str:
    """``exc``'s message with every user-supplied value hidden (see the module docstring)."""
    message = exc.format_message()
    extra = _EXTRA.search(message)
    if extra is not None:
        count = len(extra.group(1).split())
        noun = "argument" if count == 1 else "arguments"
        return (
            f"got {count} unexpected extra {noun} (not shown: they could be secret). A mnemonic or password is "
            "never given on the command line: pipe the mnemonic on standard input, type the password at the "
            "prompt or set TANGLEHUB_WALLET_PASSWORD"
        )
    command = _NO_SUCH_COMMAND.search(message)
    if command is not None:
        name = command.group(2)
        shown = HIDDEN if _could_be_secret(name) else repr(name)
        suggestions = message[command.end() :]
        return f"No such command {shown}{_hide(suggestions, _values(argv))}"
    if isinstance(exc, NoSuchOption):
        shown = HIDDEN if _could_be_secret(exc.option_name) else exc.option_name
        possible = ", ".join(sorted(exc.possibilities or ()))
        return f"No such option: {shown}" + (f" (Possible options: {possible})" if possible else "")
    return _hide(message, _values(argv))


def usage_hint(exc: UsageError) -> str:
    """The ``Usage: ...`` line and the ``--help`` pointer of the command the error belongs to ('' if none);
    both are built from the program's command path, never from the arguments."""
    ctx = exc.ctx
    if ctx is None:
        return ""
    lines = [ctx.get_usage()]
    if ctx.command.get_help_option(ctx) is not None:
        lines.append(f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.")
    return "\n".join(lines)


def is_no_args_help(exc: UsageError) -> bool:
    """True for the 'no arguments: show the help' pseudo-error of a group run without a subcommand."""
    return isinstance(exc, NoArgsIsHelpError)
