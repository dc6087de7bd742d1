"""Usage errors (unknown option, bad value, extra arguments) as one safe line: never echo what the user typed.

Click's own messages repeat the user's arguments (``Got unexpected extra arguments (abandon ability ...)``,
``'word' is not a valid integer``), so a mnemonic typed on the command line by mistake would land on the
terminal, in scroll-back and in CI logs. :func:`safe_usage_message` rebuilds the message of any click usage
error with every value the user supplied replaced by ``<hidden>``: extra arguments are only counted, values in
``Invalid value`` messages are hidden, and an unknown command or option name is shown only when it is not a
BIP39 word. Option names, parameter names, choices and ranges (which come from the program) stay.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

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


def _group(exc: UsageError) -> str:
    """The top-level command (``hub``, ``wallet``, ...) the error belongs to ('' if none), from the program's
    command path (never from what the user typed)."""
    ctx = exc.ctx
    while ctx is not None and ctx.parent is not None and ctx.parent.parent is not None:
        ctx = ctx.parent
    if ctx is not None and ctx.parent is not None:
        return ctx.info_name or ""
    return ""


def _flag_given_a_value(exc: UsageError, argv: Sequence[str]) -> str:
    """The name of a flag of the failing command that the user followed by a word (``--api-only true``): flags
    take no value, so that word became an extra argument ('' if there is none)."""
    if exc.ctx is None:
        return ""
    flags = {
        name
        for param in exc.ctx.command.params
        if getattr(param, "is_flag", False)
        for name in (*param.opts, *getattr(param, "secondary_opts", []))
    }
    for token, following in itertools.pairwise(argv):
        if token in flags and not following.startswith("-"):
            return token
    return ""


def _extra_arguments(count: int, flag: str, password_env: str) -> str:
    noun = "argument" if count == 1 else "arguments"
    message = f"got {count} unexpected extra {noun} (not shown: they could be secret)"
    if flag:
        message += f"; {flag} is a flag and takes no value (write {flag} alone)"
    if password_env:
        return (
            f"{message}. A mnemonic or password is never given on the command line: pipe the mnemonic on "
            f"standard input, type the password at the prompt or set {password_env}"
        )
    return f"{message}. A mnemonic is never given on the command line: pipe it on standard input"


def safe_usage_message(
    exc: UsageError, argv: Sequence[str], password_envs: Mapping[str, str] | None = None
) -> str:
    """``exc``'s message with every user-supplied value hidden (see the module docstring).

    ``password_envs`` maps a top-level command (``hub``) to the environment variable its password is read
    from (``TANGLEHUB_HUB_PASSWORD``); the advice for extra arguments names the failing command's variable, and
    no variable for a command that reads no password."""
    message = exc.format_message()
    extra = _EXTRA.search(message)
    if extra is not None:
        password_env = (password_envs or {}).get(_group(exc), "")
        return _extra_arguments(len(extra.group(1).split()), _flag_given_a_value(exc, argv), password_env)
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
