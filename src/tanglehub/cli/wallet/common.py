"""What every ``tanglehub wallet`` command shares: the wallet directory and node options, passwords (from a
prompt or an environment variable, never from the command line), opening the wallet, choosing the account,
and running the async work with one-line errors.

Environment variables: ``TANGLEHUB_WALLET_DIR`` (the wallet directory), ``TANGLEHUB_NODE_URL`` (the node),
``TANGLEHUB_WALLET_PASSWORD`` (the vault password), ``TANGLEHUB_WALLET_NEW_PASSWORD`` (``change-password``),
``TANGLEHUB_BACKUP_PASSWORD`` (``backup``/``restore``). Without a variable the password is asked for on the
terminal (not echoed); without a terminal the command fails with an ``error:`` line saying which variable to
set.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from tanglehub.cli import loop
from tanglehub.cli.wallet.hints import cli_message
from tanglehub.errors import TanglehubError, hide_secret_like
from tanglehub.vault import KdfParams
from tanglehub.wallet import (
    Account,
    AccountNotFoundError,
    Wallet,
    WalletArgumentError,
    WalletOfflineUnavailableError,
)

__all__ = [
    "BACKUP_PASSWORD_ENV",
    "DEFAULT_NODE_URL",
    "DEFAULT_WALLET_DIR",
    "EXIT_CONFLICTING",
    "EXIT_ERROR",
    "EXIT_SIGNED",
    "KDF_CHOICES",
    "NEW_PASSWORD_ENV",
    "PASSWORD_ENV",
    "AccountOpt",
    "JsonOpt",
    "KdfOpt",
    "NodeOpt",
    "ProgressOpt",
    "WalletDirOpt",
    "choose_account",
    "err_console",
    "kdf_params",
    "new_password",
    "node_urls",
    "open_wallet",
    "out_console",
    "parse_hex_id",
    "password",
    "error_line",
    "run",
]

T = TypeVar("T")

PASSWORD_ENV = "TANGLEHUB_WALLET_PASSWORD"  # noqa: S105 - a variable name, not a password
"""The environment variable holding the vault password."""
NEW_PASSWORD_ENV = "TANGLEHUB_WALLET_NEW_PASSWORD"  # noqa: S105 - a variable name, not a password
"""The environment variable holding the new password of ``change-password``."""
BACKUP_PASSWORD_ENV = "TANGLEHUB_BACKUP_PASSWORD"  # noqa: S105 - a variable name, not a password
"""The environment variable holding a backup's password."""
DEFAULT_WALLET_DIR = Path.home() / ".tanglehub" / "wallet"
"""The wallet directory when neither ``--wallet-dir`` nor ``TANGLEHUB_WALLET_DIR`` is given (outside any
source tree, so following a guide in a checkout never leaves a vault in it)."""
DEFAULT_NODE_URL = "http://127.0.0.1:14265"
"""The node when neither ``--node`` nor ``TANGLEHUB_NODE_URL`` is given (a local ``tanglehub devnet``)."""

EXIT_ERROR = 2
"""Exit code of a command that failed; for ``send``, ``claim`` and ``consolidate``: failed before signing,
so nothing was signed or sent and running it again cannot pay twice."""
EXIT_SIGNED = 3
"""Exit code of ``send``, ``claim`` or ``consolidate`` when a transaction WAS signed (and stored, and posted or
to be posted) but was not seen confirmed: it must not be sent again; ``tanglehub wallet wait`` follows it."""
EXIT_CONFLICTING = 4
"""Exit code of ``send``, ``claim``, ``consolidate`` or ``wait`` when a transaction ended ``conflicting``: the
ledger rejected it, so it paid nothing (its inputs are spendable again)."""

KDF_CHOICES: dict[str, KdfParams] = {
    "minimum": KdfParams.MINIMUM,
    "interactive": KdfParams.INTERACTIVE,
    "moderate": KdfParams.MODERATE,
    "sensitive": KdfParams.SENSITIVE,
}
"""Argon2id cost levels by name (``minimum`` is for throw-away test wallets only)."""

WalletDirOpt = Annotated[
    Path,
    typer.Option(
        "--wallet-dir",
        "-w",
        envvar="TANGLEHUB_WALLET_DIR",
        help="The wallet directory (vault + state database).",
        show_default=True,
    ),
]
NodeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--node",
        "-n",
        envvar="TANGLEHUB_NODE_URL",
        help=f"Node URL (repeat for a pool). [default: {DEFAULT_NODE_URL}]",
    ),
]
AccountOpt = Annotated[
    str | None,
    typer.Option(
        "--account",
        "-a",
        envvar="TANGLEHUB_ACCOUNT",
        help="Account alias or index (default: the only account).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of a table.")]
ProgressOpt = Annotated[
    bool | None,
    typer.Option("--progress/--no-progress", help="Show a progress bar (default: when stderr is a terminal)."),
]
KdfOpt = Annotated[
    str,
    typer.Option("--kdf", help="Argon2id cost: moderate, sensitive, interactive, or minimum (test wallets only)."),
]

out_console = Console(soft_wrap=True, highlight=False, width=None if sys.stdout.isatty() else 200)
"""Standard output (tables, results)."""
err_console = Console(stderr=True, soft_wrap=True, highlight=False)
"""Standard error (notes, progress)."""


def kdf_params(name: str) -> KdfParams:
    """The :class:`KdfParams` named ``name``, or WalletArgumentError naming the choices."""
    found = KDF_CHOICES.get(name.lower())
    if found is None:
        raise WalletArgumentError(f"--kdf must be one of {', '.join(KDF_CHOICES)}, got {name!r}")
    return found


def parse_hex_id(text: str, size: int, error: str) -> bytes:
    """The ``size`` bytes written in hex in ``text`` (with or without ``0x``).

    Raises:
        WalletArgumentError: ``text`` is not hex or not ``size`` bytes long; the message is ``error`` followed
            by ``got 'text'``.
    """
    body = text[2:] if text.lower().startswith("0x") else text
    try:
        raw = bytes.fromhex(body)
    except ValueError:
        raw = b""
    if len(raw) != size:
        raise WalletArgumentError(f"{error}, got {text!r}")
    return raw


def _tty_prompt(prompt: str) -> str | None:
    """Ask on the terminal without echo; None when there is no terminal to ask on."""
    try:
        with open("/dev/tty", "rb"):
            pass
    except OSError:
        if not sys.stdin.isatty():
            return None
    try:
        return getpass.getpass(prompt)
    except EOFError:
        return None


def password(env: str = PASSWORD_ENV, what: str = "wallet password") -> str:
    """A password from the environment variable ``env``, else from a prompt on the terminal."""
    value = os.environ.get(env)
    if value:
        return value
    typed = _tty_prompt(f"{what}: ")
    if not typed:
        raise WalletArgumentError(
            f"no {what}: set {env} or run the command in a terminal to be asked (passwords are never "
            "taken from the command line)"
        )
    return typed


def new_password(env: str, what: str) -> str:
    """A new password from ``env``, else asked twice on the terminal (both must match)."""
    value = os.environ.get(env)
    if value:
        return value
    first = password(env, what)  # ``env`` is unset, so this asks on the terminal
    if _tty_prompt(f"{what} (again): ") != first:
        raise WalletArgumentError(f"the two {what}s differ; nothing was changed")
    return first


def node_urls(nodes: list[str] | None) -> list[str]:
    """The node URLs to use (``--node``, ``TANGLEHUB_NODE_URL`` or the local devnet)."""
    urls = [u for n in nodes or [] for u in n.split(",") if u.strip()]
    return [u.strip() for u in urls] or [DEFAULT_NODE_URL]


def open_wallet(wallet_dir: Path, nodes: list[str] | None, *, read_only: bool = False) -> Awaitable[Wallet]:
    """Open the wallet in ``wallet_dir`` with the password from the environment or a prompt. ``read_only``
    (commands that only read the stored state): without asking the node, so they work while it is down; a
    wallet that has never stored its protocol parameters is opened with the node instead."""
    secret = password()
    urls = node_urls(nodes)
    if not read_only:
        return Wallet.open(wallet_dir, password=secret, node_urls=urls)

    async def opened() -> Wallet:
        try:
            return await Wallet.open(wallet_dir, password=secret, node_urls=urls, offline=True)
        except WalletOfflineUnavailableError:
            return await Wallet.open(wallet_dir, password=secret, node_urls=urls)

    return opened()


async def choose_account(wallet: Wallet, account: str | None) -> Account:
    """The account named by ``account`` (an alias, or an index in digits); without it the only account."""
    if account is None:
        accounts = await wallet.accounts()
        if len(accounts) == 1:
            return accounts[0]
        if not accounts:
            raise WalletArgumentError(
                "this wallet has no account yet: create one with `tanglehub wallet account create ALIAS`"
            )
        raise WalletArgumentError(
            f"this wallet has {len(accounts)} accounts: choose one with --account ALIAS (or its index)"
        )
    if account.isdigit():
        index = int(account)
        same = await _alias_holder(wallet, account)
        if same is not None and same.index != index:
            raise WalletArgumentError(
                f"--account {account} is ambiguous: it is account index {index}, and account {same.index} has "
                f"the alias {same.alias!r} (made before all-digit aliases were refused); use an alias that is "
                f"not all digits, or the index of the account you mean"
            )
        return await wallet.get_account(index)
    return await wallet.get_account(account)


async def _alias_holder(wallet: Wallet, alias: str) -> Account | None:
    try:
        return await wallet.get_account(alias)
    except AccountNotFoundError:
        return None


def error_line(exc: BaseException) -> str:
    """The one ``error:`` line for ``exc``: library hints in command-line terms, no value that could be a
    mnemonic, a file system error with its file name."""
    if isinstance(exc, OSError):
        where = f" ('{exc.filename}')" if exc.filename else ""
        text = f"{exc.strerror or exc}{where}"
    else:
        text = str(exc)
    return f"error: {hide_secret_like(cli_message(text))}"


def run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``work()`` on a new event loop; tanglehub and file-system errors become one ``error:`` line and
    exit code 2 (the message names no secret: the library's messages never carry one, and a quoted value that
    could be a mnemonic is hidden)."""
    try:
        return loop.run(work())
    except (TanglehubError, OSError) as exc:
        err_console.print(error_line(exc), markup=False)
        raise typer.Exit(EXIT_ERROR) from None
