"""``tanglehub keys``: make a new mnemonic, or derive bech32 addresses from one read on standard input.

The mnemonic is never taken from the command line (it would land in shell history and ``ps``), and never
printed back. Bad input becomes one ``error:`` line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from tanglehub.errors import TanglehubError
from tanglehub.keys.address import MAX_INDEX, derive_addresses_parallel
from tanglehub.keys.bech32 import check_hrp
from tanglehub.keys.bip39 import VALID_WORD_COUNTS, generate_mnemonic, mnemonic_to_seed
from tanglehub.keys.errors import DerivationError, MnemonicError
from tanglehub.keys.slip10 import check_coin_type

__all__ = ["app", "derive", "generate", "read_mnemonic"]

app = typer.Typer(
    name="keys",
    help="Mnemonics and address derivation (IOTA coin type 4218, Shimmer 4219).",
    no_args_is_help=True,
)


def _fail(exc: TanglehubError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def read_mnemonic() -> str:
    """Read the mnemonic from standard input (without echo when it is a terminal)."""
    if sys.stdin is None:
        raise MnemonicError("no standard input to read the mnemonic from")
    text = getpass.getpass("mnemonic: ") if sys.stdin.isatty() else sys.stdin.read()
    if not text.strip():
        raise MnemonicError("no mnemonic on standard input: pipe the words in, e.g. `< mnemonic.txt`")
    return text


def _non_negative(name: str, value: int, maximum: int = MAX_INDEX) -> int:
    if not 0 <= value <= maximum:
        raise DerivationError(f"--{name} must be from 0 to {maximum}, got {value}")
    return value


@app.command("generate")
def generate(
    words: Annotated[int, typer.Option("--words", help="Number of words: 12, 15, 18, 21 or 24.")] = 24,
) -> None:
    """Print a new random BIP39 mnemonic (24 words unless --words says otherwise)."""
    try:
        if words not in VALID_WORD_COUNTS:
            raise MnemonicError(f"--words must be one of 12, 15, 18, 21 or 24, got {words}")
        typer.echo(generate_mnemonic(words))
    except TanglehubError as exc:
        raise _fail(exc) from None


@app.command("derive")
def derive(
    *,
    coin_type: Annotated[int, typer.Option("--coin-type", help="4218 (IOTA) or 4219 (Shimmer).")],
    hrp: Annotated[str, typer.Option("--hrp", help="Network prefix: iota, atoi, smr, rms, tst...")],
    account: Annotated[int, typer.Option("--account", help="Account index.")] = 0,
    internal: Annotated[bool, typer.Option("--internal", help="Internal (change 1) chain.")] = False,
    start: Annotated[int, typer.Option("--start", help="First address index.")] = 0,
    count: Annotated[int, typer.Option("--count", help="How many addresses.")] = 1,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: all CPUs).")] = None,
) -> None:
    """Read a mnemonic from standard input and print one bech32 address per line."""
    try:
        check_coin_type(coin_type, "--coin-type")
        _non_negative("account", account)
        _non_negative("start", start)
        _non_negative("count", count, MAX_INDEX + 1 - start)
        if workers is not None and workers < 1:
            raise DerivationError(f"--workers must be at least 1, got {workers}")
        check_hrp(hrp)
        seed = mnemonic_to_seed(read_mnemonic())
        addresses = derive_addresses_parallel(seed, coin_type, account, internal, start, count, hrp, workers)
    except TanglehubError as exc:
        raise _fail(exc) from None
    if addresses:
        sys.stdout.write("\n".join(addresses) + "\n")
        sys.stdout.flush()
