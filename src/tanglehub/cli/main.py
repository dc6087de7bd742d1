"""The one ``tanglehub`` command: every role (keys, decode, devnet, wallet, signer, hub) is a subcommand.

Each subcommand group lives in its own module and exposes ``app`` (a Typer app); they are mounted here, when
:func:`main` runs: ``tanglehub GROUP ...`` mounts (and imports) that group alone, anything else (help, a leaf
command, a mistake) every command; :func:`command_tree` mounts every command.
Errors from tanglehub become one clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

import typer
import typer.rich_utils
from typer import Abort

try:  # recent Typer vendors click as typer._click; its commands are built from those classes
    from typer._click import Command, Context
except ImportError:  # pragma: no cover - Typer versions that run on the click package
    from click import Command, Context  # type: ignore[assignment]

from tanglehub.cli.usage import ClickException, UsageError, is_no_args_help, safe_usage_message, usage_hint
from tanglehub.errors import TanglehubError

__all__ = ["HELP_NARROWEST", "HELP_UNKNOWN_WIDTH", "PASSWORD_ENVS", "app", "command_tree", "help_width", "main"]

HELP_UNKNOWN_WIDTH = 120
"""Help width when the terminal's width is unknown (output to a file or a pipe, no ``COLUMNS``)."""
HELP_NARROWEST = 60
"""Help is never laid out narrower than this."""
HELP_TEXT_ROOM = 50
"""Columns kept for the metavar, the help text and the frame beside a command's longest option names: help is
widened beyond the terminal only when that much would not fit (else option names would be cut)."""


def help_width() -> int:
    """The width help is laid out in: ``COLUMNS`` or the terminal's width when known (never below
    :data:`HELP_NARROWEST`), else :data:`HELP_UNKNOWN_WIDTH`."""
    columns: int | None = None
    with contextlib.suppress(ValueError):
        columns = int(os.environ.get("COLUMNS", ""))
    if columns is None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                columns = os.get_terminal_size(stream.fileno()).columns
                break
    if columns is None or columns <= 0:
        return HELP_UNKNOWN_WIDTH
    return max(columns, HELP_NARROWEST)


def _names_width(args: list[str]) -> int:
    """The width the help of the command named in ``args`` needs so that no option name is cut."""
    command: object = typer.main.get_command(app)
    for token in args:
        sub = getattr(command, "commands", {}).get(token)
        if sub is None:
            break
        command = sub
    names = [
        len(" / ".join([*param.opts, *getattr(param, "secondary_opts", [])]))
        for param in getattr(command, "params", [])
        if getattr(param, "param_type_name", "") == "option"
    ]
    return max(names, default=0) + HELP_TEXT_ROOM


if not os.environ.get("TERMINAL_WIDTH"):  # an explicit TERMINAL_WIDTH (Typer's own setting) wins
    typer.rich_utils.MAX_WIDTH = help_width()

app = typer.Typer(
    name="tanglehub",
    help="IOTA Stardust wallet library, custody hub and local devnet node.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

PASSWORD_ENVS: dict[str, str] = {}
"""Top-level command -> the environment variable its password comes from (each module's ``PASSWORD_ENV``),
for usage errors' advice."""

# (module under tanglehub.cli, command name); a module that is not present yet is simply not mounted.
_GROUPS: tuple[tuple[str, str], ...] = (
    ("keys", "keys"),
    ("decode", "decode"),
    ("devnet", "devnet"),
    ("wallet", "wallet"),
    ("signer", "signer"),
    ("hub", "hub"),
)


_LEAVES = ("selfcheck", "demo")
"""Leaf commands mounted after the groups (each module's function of the same name)."""
_mounted: tuple[str | None] | None = None
"""What :func:`_mount` last mounted: ``(None,)`` every command, ``(name,)`` that group alone."""


def _import(module_name: str) -> object | None:
    """``tanglehub.cli.<module_name>``, or None when that module is not present (yet)."""
    try:
        return importlib.import_module(f"tanglehub.cli.{module_name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"tanglehub.cli.{module_name}":
            return None
        raise


def _mount(only: str | None = None) -> None:
    """Mount the commands on :data:`app` in their fixed order: every one, or with ``only`` that group alone
    (``tanglehub wallet ...`` then imports neither the hub's nor the signer's modules, about 1.4 s of CPU per
    run). ``only`` must name a group (a module with a Typer ``app``): a Typer app with one plain command would
    run it as the whole program. Called again, it mounts afresh."""
    global _mounted  # noqa: PLW0603 - the mount state of the module's one app
    if _mounted == (only,):
        return
    app.registered_groups.clear()
    app.registered_commands.clear()
    for module_name, command in _GROUPS:
        if only is not None and command != only:
            continue
        module = _import(module_name)
        if module is None:
            continue
        if isinstance(env := getattr(module, "PASSWORD_ENV", None), str):
            PASSWORD_ENVS[command] = env
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=command)
        elif getattr(module, "COMMAND", None) == command:  # a leaf command: no COMMAND in its usage line
            app.command(command)(getattr(module, command))
    if only is None:
        for module_name in _LEAVES:
            module = _import(module_name)
            if module is not None:
                app.command(module_name)(getattr(module, module_name))
    _mounted = (only,)


def _group_named(args: list[str]) -> str | None:
    """The group ``args`` runs when its first word names one (a module with a Typer ``app``), else None."""
    if not args or args[0] not in {command for _, command in _GROUPS}:
        return None
    module_name = next(m for m, command in _GROUPS if command == args[0])
    module = _import(module_name)
    return args[0] if isinstance(getattr(module, "app", None), typer.Typer) else None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code (0 ok, 2 usage or tanglehub error, 130 interrupted).

    Click runs in non-standalone mode so that its usage errors come back here: they are printed as the
    command's usage line and one ``error:`` line in which no value the user typed appears (a mnemonic typed
    on the command line by mistake is never echoed; see :mod:`tanglehub.cli.usage`).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    _mount(_group_named(args))
    if not os.environ.get("TERMINAL_WIDTH") and ("--help" in args or "-h" in args):
        typer.rich_utils.MAX_WIDTH = max(help_width(), _names_width(args))
    try:
        result = _tree().main(args=args, prog_name="tanglehub", standalone_mode=False)
    except UsageError as exc:
        if is_no_args_help(exc):  # the group's help was already printed
            return 2
        hint = usage_hint(exc)
        if hint:
            print(hint, file=sys.stderr)
        print(f"error: {safe_usage_message(exc, args, PASSWORD_ENVS)}", file=sys.stderr)
        return 2
    except ClickException as exc:
        print(f"error: {_hide_values(exc.format_message(), args)}", file=sys.stderr)
        return exc.exit_code or 2
    except TanglehubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Abort):
        print("aborted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line, unless the traceback is asked for
        if os.environ.get("TANGLEHUB_DEBUG") == "1":
            raise
        print(
            f"error: unexpected {type(exc).__name__} (a bug in tanglehub; run with TANGLEHUB_DEBUG=1 for the "
            "traceback and report it)",
            file=sys.stderr,
        )
        return 1
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


def command_tree() -> Command:
    """The click command of :data:`app` with every command mounted, with every flag (an option that takes no
    value, ``--help`` included) shown in help without Typer's ``<bool>`` value placeholder, which read as if
    ``--api-only true`` were the way to write it (the word ``true`` is then an unexpected extra argument)."""
    _mount()
    return _tree()


def _tree() -> Command:
    """:func:`command_tree` of what is mounted now."""
    root = typer.main.get_command(app)
    pending: list[tuple[Command, Context | None]] = [(root, None)]
    while pending:
        command, parent = pending.pop()
        ctx = Context(command, parent=parent, info_name=command.name)
        help_option = command.get_help_option(ctx)
        for param in [*command.params, *([help_option] if help_option is not None else [])]:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        pending += [(sub, ctx) for sub in getattr(command, "commands", {}).values()]
    return root


def _hide_values(message: str, args: list[str]) -> str:
    return safe_usage_message(UsageError(message), args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
