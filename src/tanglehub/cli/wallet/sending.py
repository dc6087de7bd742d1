"""What ``send``, ``claim`` and ``consolidate`` report once a transaction exists, and ``tanglehub wallet wait``.

The exit code tells a script (or a retry wrapper) whether running the command again could pay twice:

====  ==========================================================================================
code  meaning
====  ==========================================================================================
0     every transaction confirmed (or, with ``--no-wait``, signed and handed to the node)
2     failed BEFORE signing: nothing was signed or sent, running the command again is safe
3     a transaction WAS signed (and stored; posted, or to be posted) but not seen confirmed: do
      NOT send again; ``tanglehub wallet wait 0x<id>`` follows it to its end
4     a transaction ended ``conflicting``: the ledger rejected it and it paid nothing
130   interrupted before anything was signed
====  ==========================================================================================

After signing, every failure (node gone, wait given up, Ctrl-C, SIGTERM, a bug) ends with exit 3, the
``error:`` line and one ``sent:`` line per signed transaction naming its id and the ``wait`` command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import typer

from tanglehub.cli import loop
from tanglehub.cli.signals import sigterm_as_interrupt
from tanglehub.cli.wallet.common import (
    DEFAULT_WALLET_DIR,
    EXIT_CONFLICTING,
    EXIT_ERROR,
    EXIT_SIGNED,
    AccountOpt,
    NodeOpt,
    WalletDirOpt,
    choose_account,
    err_console,
    error_line,
    open_wallet,
    out_console,
    parse_hex_id,
)
from tanglehub.errors import TanglehubError
from tanglehub.wallet import Account, TransactionNotIncludedError, TransactionRecord, Wallet, WalletArgumentError
from tanglehub.wallet.operations.transaction.contract import NOTHING_SIGNED, is_nothing_signed

__all__ = [
    "DEFAULT_WAIT_TIMEOUT",
    "Signed",
    "TransactionConflictingError",
    "WaitTimeoutOpt",
    "finish",
    "run_sending",
    "wait",
]

DEFAULT_WAIT_TIMEOUT = 120
"""Seconds (one check per second) ``--wait`` follows a transaction before it gives up (exit 3; the transaction
stays tracked and ``tanglehub wallet wait`` goes on)."""
WaitTimeoutOpt = Annotated[
    int,
    typer.Option("--wait-timeout", help="Seconds to follow each transaction before giving up (exit 3).", min=1),
]


class TransactionConflictingError(WalletArgumentError):
    """A followed transaction ended ``conflicting`` (exit code 4 on the command line)."""

    code = "WALLET_CLI_TRANSACTION_CONFLICTING"


class Signed:
    """The transactions one command signed so far (``maybe``: a sending call failed after it may have signed,
    so the command must not claim that nothing was signed)."""

    def __init__(self) -> None:
        self.ids: list[bytes] = []
        self.maybe = False

    async def sending(self, call: Coroutine[Any, Any, Any]) -> Any:
        """Await the library's sending call ``call``; an error not marked 'nothing signed' sets ``maybe``."""
        try:
            return await call
        except TanglehubError as exc:
            if not is_nothing_signed(exc):
                self.maybe = True
            raise
        except BaseException:
            self.maybe = True
            raise

    def add(self, records: list[TransactionRecord]) -> None:
        """Remember the signed ``records``."""
        self.ids.extend(r.tx_id for r in records)


def _wait_hint(ids: list[bytes]) -> str:
    return "tanglehub wallet wait " + " ".join(f"0x{i.hex()}" for i in ids)


def run_sending(work: Callable[[], Coroutine[Any, Any, None]], signed: Signed) -> None:
    """Run a sending command's ``work()`` with the exit codes of the module docstring (SIGTERM counts as
    Ctrl-C, so its notice is printed too)."""
    try:
        with sigterm_as_interrupt():
            loop.run(work())
    except TransactionConflictingError as exc:
        err_console.print(error_line(exc), markup=False)
        raise typer.Exit(EXIT_CONFLICTING) from None
    except (typer.Exit, SystemExit):
        raise
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        if not signed.ids and not signed.maybe:
            if interrupted:
                raise
            if not isinstance(exc, TanglehubError | OSError):
                raise
            line = error_line(exc)
            if NOTHING_SIGNED not in line:
                line = f"{line}; {NOTHING_SIGNED}"
            err_console.print(line, markup=False)
            raise typer.Exit(EXIT_ERROR) from None
        what = "interrupted" if interrupted else error_line(exc).removeprefix("error: ")
        err_console.print(f"error: {what}", markup=False)
        if signed.ids:
            for tx_id in signed.ids:
                err_console.print(
                    f"sent: transaction 0x{tx_id.hex()} was signed and sent (or is stored to be posted); do NOT "
                    f"send again. Follow it with `{_wait_hint([tx_id])}`",
                    markup=False,
                )
        else:
            err_console.print(
                "sent: a transaction may have been signed (see the error above); do NOT send again before "
                "`tanglehub wallet wait` shows no pending transaction",
                markup=False,
            )
        raise typer.Exit(EXIT_SIGNED) from None


async def finish(
    account: Account, records: list[TransactionRecord], wait: bool, signed: Signed, timeout: int
) -> None:
    """Print each signed transaction; with ``wait`` follow it (``timeout`` seconds each) to a final state."""
    signed.add(records)
    for record in records:
        block = "posted in block 0x" + record.block_id.hex() if record.block_id else "signed; its post is retried"
        out_console.print(f"transaction 0x{record.tx_id.hex()} {block}", markup=False)
    sys.stdout.flush()
    if wait:
        await _follow(account, [r.tx_id for r in records], timeout)
        return
    unposted = [r.tx_id for r in records if r.block_id is None]
    if unposted:
        raise TransactionNotIncludedError(
            f"transaction 0x{unposted[0].hex()} is signed and stored, but the node did not take its block yet"
        )


async def _follow(account: Account, ids: list[bytes], timeout: int) -> None:
    for tx_id in ids:
        try:
            final = await account.retry_until_included(tx_id, 1.0, timeout)
        except TransactionNotIncludedError as exc:
            raise TransactionNotIncludedError(
                f"transaction 0x{tx_id.hex()} is not confirmed yet after {timeout} checks ({exc})"
            ) from exc
        if final.state != "confirmed":
            raise TransactionConflictingError(
                f"transaction 0x{final.tx_id.hex()} ended {final.state} (conflict reason "
                f"{final.conflict_reason}): the ledger rejected it, so it paid nothing and its inputs are "
                "spendable again"
            )
        out_console.print(
            f"transaction 0x{final.tx_id.hex()} confirmed at milestone {final.inclusion_index}", markup=False
        )


def _tx_id(text: str) -> bytes:
    return parse_hex_id(text, 32, "a transaction id is 32 bytes in hex (0x + 64 digits)")


async def _pending(wallet: Wallet, accounts: list[Account], wanted: list[bytes]) -> list[tuple[Account, bytes]]:
    found: list[tuple[Account, bytes]] = []
    for account in accounts:
        records = await account.transactions() if wanted else await account.pending_transactions()
        found.extend((account, r.tx_id) for r in records if not wanted or r.tx_id in wanted)
    missing = [w for w in wanted if all(w != tx for _, tx in found)]
    if missing:
        raise WalletArgumentError(f"this wallet has no transaction 0x{missing[0].hex()}")
    return found


def wait(
    transaction_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Transaction ids (0x...); default: every pending transaction.", show_default=False),
    ] = None,
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account: AccountOpt = None,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
) -> None:
    """Follow signed transactions (reposting them if needed) until a milestone confirms them (exit 0), the
    ledger rejects them (exit 4) or the wait gives up (exit 3: still pending; run it again)."""

    async def work() -> None:
        wanted = [_tx_id(t) for t in transaction_ids or []]
        async with await open_wallet(wallet_dir, node) as wallet:
            accounts = [await choose_account(wallet, account)] if account is not None else await wallet.accounts()
            found = await _pending(wallet, accounts, wanted)
            if not found:
                out_console.print("no pending transaction", markup=False)
                return
            signed.ids.extend(tx for _, tx in found)
            for owner, tx_id in found:
                await _follow(owner, [tx_id], wait_timeout)

    signed = Signed()
    run_sending(work, signed)
