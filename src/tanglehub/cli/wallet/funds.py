"""``tanglehub wallet sync | balance | send | claim | consolidate``: the money commands.

Amounts are integers of the smallest unit (as everywhere in tanglehub). ``balance`` prints a table (one row
per account) or, with ``--json``, an object per account with amounts as decimal strings, as the node API
writes them; the table counts potentially locked outputs as ``claimable`` (``tanglehub wallet claim`` can take
them now) and ``locked`` (not yet). ``send``, ``claim`` and ``consolidate`` print the transaction ids and, with
``--wait`` (the default), follow each transaction to ``confirmed`` (reattaching if needed); their exit codes
(0, 2 nothing signed, 3 signed but not confirmed, 4 conflicting) are in :mod:`tanglehub.cli.wallet.sending`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from tanglehub.cli.wallet.common import (
    DEFAULT_WALLET_DIR,
    AccountOpt,
    JsonOpt,
    NodeOpt,
    ProgressOpt,
    WalletDirOpt,
    choose_account,
    err_console,
    open_wallet,
    out_console,
    parse_hex_id,
    run,
)
from tanglehub.cli.wallet.progress_bar import ProgressBar
from tanglehub.cli.wallet.sending import DEFAULT_WAIT_TIMEOUT, Signed, WaitTimeoutOpt, finish, run_sending
from tanglehub.wallet import (
    Account,
    Balance,
    SyncMode,
    SyncOptions,
    SyncResult,
    TransactionOptions,
    Wallet,
    WalletArgumentError,
)

__all__ = ["balance", "claim", "consolidate", "send", "sync"]

ModeOpt = Annotated[
    str,
    typer.Option(
        "--mode",
        help=(
            "indexer (ask per address, or read the milestones since the last sync where that costs fewer "
            "requests) or ledger (follow milestones)."
        ),
    ),
]
WaitOpt = Annotated[
    bool, typer.Option("--wait/--no-wait", help="Follow the transaction until a milestone confirms it.")
]


def _mode(name: str) -> SyncMode:
    try:
        return SyncMode(name.lower())
    except ValueError:
        raise WalletArgumentError(f"--mode must be indexer or ledger, got {name!r}") from None


async def _sync(wallet: Wallet, account: Account | None, mode: SyncMode, show: bool | None) -> SyncResult:
    enabled = err_console.is_terminal if show is None else show
    with ProgressBar(err_console, enabled) as bar:
        if account is None or mode is SyncMode.LEDGER:
            return await wallet.sync(SyncOptions(mode), progress=bar)
        return await account.sync(SyncOptions(mode), progress=bar)


def sync(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account: AccountOpt = None,
    mode: ModeOpt = "indexer",
    show_progress: ProgressOpt = None,
) -> None:
    """Bring the wallet's outputs up to date with the ledger (every account, or --account in indexer mode)."""

    async def work() -> None:
        sync_mode = _mode(mode)
        if account is not None and sync_mode is SyncMode.LEDGER:
            raise WalletArgumentError(
                "--mode ledger follows milestones for every account at once, so --account cannot be combined "
                "with it; leave out --account, or use --mode indexer for one account"
            )
        async with await open_wallet(wallet_dir, node) as wallet:
            chosen = None if account is None else await choose_account(wallet, account)
            result = await _sync(wallet, chosen, sync_mode, show_progress)
        where = "" if result.ledger_index is None else f"; ledger cursor at milestone {result.ledger_index}"
        out_console.print(
            f"synced: {len(result.new_output_ids)} new output(s), {len(result.spent_output_ids)} spent{where}",
            markup=False,
        )

    run(work)


def _balance_json(account: Account, b: Balance) -> dict[str, Any]:
    return {
        "accountIndex": account.index,
        "alias": account.alias,
        "baseCoin": {"total": str(b.base_coin.total), "available": str(b.base_coin.available)},
        "requiredStorageDeposit": {
            "basic": str(b.required_storage_deposit.basic),
            "alias": str(b.required_storage_deposit.alias),
            "foundry": str(b.required_storage_deposit.foundry),
            "nft": str(b.required_storage_deposit.nft),
        },
        "nativeTokens": [
            {"tokenId": "0x" + t.token_id.hex(), "total": str(t.total), "available": str(t.available)}
            for t in b.native_tokens
        ],
        "nfts": ["0x" + i.hex() for i in b.nfts],
        "aliases": ["0x" + i.hex() for i in b.aliases],
        "foundries": ["0x" + i.hex() for i in b.foundries],
        "potentiallyLockedOutputs": {
            "0x" + o.output_id.hex(): o.unlockable_now for o in b.potentially_locked_outputs
        },
        "milestoneTimestamp": b.milestone_timestamp,
    }


def balance(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account: AccountOpt = None,
    as_json: JsonOpt = False,
    sync_first: Annotated[bool, typer.Option("--sync/--no-sync", help="Sync (indexer mode) first.")] = False,
    show_progress: ProgressOpt = None,
) -> None:
    """Show the balance of every account (or --account): total, available, storage deposit, locked outputs."""

    async def work() -> None:
        async with await open_wallet(wallet_dir, node, read_only=not sync_first) as wallet:
            chosen = [await choose_account(wallet, account)] if account is not None else await wallet.accounts()
            if sync_first:
                await _sync(wallet, chosen[0] if account is not None else None, SyncMode.INDEXER, show_progress)
            rows = [(a, await a.balance()) for a in chosen]
        if as_json:
            out_console.print(json.dumps([_balance_json(a, b) for a, b in rows], indent=2), markup=False)
            return
        table = Table(title="balance (smallest unit)")
        table.add_column("index", justify="right")
        table.add_column("alias")
        for name in ("total", "available", "storage deposit"):
            table.add_column(name, justify="right")
        table.add_column("native tokens", justify="right")
        table.add_column("claimable outputs", justify="right")
        table.add_column("locked outputs", justify="right")
        for a, b in rows:
            table.add_row(
                str(a.index),
                a.alias,
                f"{b.base_coin.total:,}",
                f"{b.base_coin.available:,}",
                f"{b.required_storage_deposit.total:,}",
                str(len(b.native_tokens)),
                str(sum(1 for o in b.potentially_locked_outputs if o.unlockable_now)),
                str(sum(1 for o in b.potentially_locked_outputs if not o.unlockable_now)),
            )
        out_console.print(table)

    run(work)


def send(
    address: Annotated[str, typer.Argument(help="The recipient's bech32 address.", show_default=False)],
    amount: Annotated[int, typer.Argument(help="The amount in the smallest unit.", show_default=False)],
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account: AccountOpt = None,
    wait: WaitOpt = True,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
    allow_micro: Annotated[
        bool, typer.Option("--allow-micro", help="Allow an amount below the storage deposit (with a return).")
    ] = False,
    note: Annotated[str | None, typer.Option("--note", help="A local note kept with the transaction.")] = None,
) -> None:
    """Send AMOUNT (smallest unit) from the account to ADDRESS (a withdrawal).

    Exit codes: 0 confirmed. 2 failed before signing: nothing was sent.

    3 signed but not seen confirmed: do NOT send again (`tanglehub wallet wait` follows it).

    4 conflicting: nothing was paid."""

    async def work() -> None:
        async with await open_wallet(wallet_dir, node) as wallet:
            chosen = await choose_account(wallet, account)
            options = TransactionOptions(allow_micro_amount=allow_micro, note=note)
            record = await signed.sending(chosen.send(amount, address, options))
            await finish(chosen, [record], wait, signed, wait_timeout)

    signed = Signed()
    run_sending(work, signed)


def _output_id(text: str) -> bytes:
    return parse_hex_id(text, 34, "--output-id must be a 34-byte output id in hex (0x + 68 digits)")


def claim(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account: AccountOpt = None,
    output_id: Annotated[
        list[str] | None, typer.Option("--output-id", help="Claim only this output (hex; repeatable).")
    ] = None,
    wait: WaitOpt = True,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
) -> None:
    """Claim outputs with storage deposit return or expiration conditions (default: every claimable one).

    Exit codes as for send: 0 confirmed, 2 nothing signed, 3 signed but not confirmed, 4 conflicting."""

    async def work() -> None:
        ids = None if not output_id else [_output_id(o) for o in output_id]
        async with await open_wallet(wallet_dir, node) as wallet:
            chosen = await choose_account(wallet, account)
            record = await signed.sending(chosen.claim_outputs(ids))
            if record is None:
                out_console.print("nothing to claim", markup=False)
                return
            await finish(chosen, [record], wait, signed, wait_timeout)

    signed = Signed()
    run_sending(work, signed)


def consolidate(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account: AccountOpt = None,
    threshold: Annotated[
        int, typer.Option("--threshold", help="Consolidate only when there are at least this many outputs.")
    ] = 2,
    wait: WaitOpt = True,
    wait_timeout: WaitTimeoutOpt = DEFAULT_WAIT_TIMEOUT,
) -> None:
    """Merge the account's many small outputs into few (at most 128 inputs per transaction).

    Exit codes as for send: 0 confirmed, 2 nothing signed, 3 signed but not confirmed, 4 conflicting."""

    async def work() -> None:
        async with await open_wallet(wallet_dir, node) as wallet:
            chosen = await choose_account(wallet, account)
            records = await signed.sending(chosen.consolidate_outputs(threshold=threshold))
            if not records:
                out_console.print(f"nothing to consolidate (fewer than {threshold} outputs)", markup=False)
                return
            await finish(chosen, records, wait, signed, wait_timeout)

    signed = Signed()
    run_sending(work, signed)
