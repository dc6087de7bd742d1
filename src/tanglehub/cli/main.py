"""The one ``tanglehub`` command: every role (keys, decode, devnet, wallet, signer, hub) is a subcommand.

Each subcommand group lives in its own module and exposes ``app`` (a Typer app); they are mounted here.
Errors from tanglehub become one clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys

import typer
import typer.rich_utils
from typer import Abort

from tanglehub.cli.usage import ClickException, UsageError, is_no_args_help, safe_usage_message, usage_hint
from tanglehub.errors import TanglehubError

__all__ = ["HELP_MIN_WIDTH", "app", "main"]

HELP_MIN_WIDTH = 120
"""Help is laid out at least this wide (wider on a wider terminal), so option names are never cut."""

if not os.environ.get("TERMINAL_WIDTH"):  # an explicit TERMINAL_WIDTH (Typer's own setting) wins
    typer.rich_utils.MAX_WIDTH = max(shutil.get_terminal_size((HELP_MIN_WIDTH, 24)).columns, HELP_MIN_WIDTH)

app = typer.Typer(
    name="tanglehub",
    help="IOTA Stardust wallet library, custody hub and local devnet node.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (module under tanglehub.cli, command name); a module that is not present yet is simply not mounted.
_GROUPS: tuple[tuple[str, str], ...] = (
    ("keys", "keys"),
    ("decode", "decode"),
    ("devnet", "devnet"),
    ("wallet", "wallet"),
    ("signer", "signer"),
    ("hub", "hub"),
)


def _mount() -> None:
    for module_name, command in _GROUPS:
        try:
            module = importlib.import_module(f"tanglehub.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"tanglehub.cli.{module_name}":
                continue
            raise
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=command)
    for module_name in ("selfcheck", "demo"):
        try:
            module = importlib.import_module(f"tanglehub.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tanglehub.cli.{module_name}":
                raise
        else:
            app.command(module_name)(getattr(module, module_name))


_mount()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code (0 ok, 2 usage or tanglehub error, 130 interrupted).

    Click runs in non-standalone mode so that its usage errors come back here: they are printed as the
    command's usage line and one ``error:`` line in which no value the user typed appears (a mnemonic typed
    on the command line by mistake is never echoed; see :mod:`tanglehub.cli.usage`).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = app(args=args, prog_name="tanglehub", standalone_mode=False)
    except UsageError as exc:
        if is_no_args_help(exc):  # the group's help was already printed
            return 2
        hint = usage_hint(exc)
        if hint:
            print(hint, file=sys.stderr)
        print(f"error: {safe_usage_message(exc, args)}", file=sys.stderr)
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


def _hide_values(message: str, args: list[str]) -> str:
    return safe_usage_message(UsageError(message), args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
