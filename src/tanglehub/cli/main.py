"""The one ``tanglehub`` command: every role (keys, decode, devnet, wallet, signer, hub) is a subcommand.

Each subcommand group lives in its own module and exposes ``app`` (a Typer app); they are mounted here.
Errors from tanglehub become one clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click
import typer

from tanglehub.errors import TanglehubError

__all__ = ["app", "main"]

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
    """Run the CLI; return the process exit code (0 ok, 1 usage error, 2 tanglehub error)."""
    try:
        # With standalone_mode=False click returns (not raises) the code of a typer.Exit / ctx.exit.
        returned = app(args=argv, standalone_mode=False)
    except TanglehubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except click.ClickException as exc:
        exc.show(file=sys.stderr)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        print("aborted", file=sys.stderr)
        return 130
    return returned if isinstance(returned, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
