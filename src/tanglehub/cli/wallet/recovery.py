"""``tanglehub wallet recover`` and ``tanglehub wallet rebuild``: funds of a mnemonic used before.

``recover`` (also ``account recover``) scans the wallet's mnemonic with gap limits: accounts ``0, 1, ...``
until ``--account-gap`` unused ones in a row, and in each account both address chains (public and internal
change addresses) until ``--address-gap`` unused addresses in a row; every used account and address is stored
and synced. Run it after ``create --import`` (or use ``create --import --recover``): without it, a wallet
made from an old mnemonic starts with empty accounts and funds on change addresses stay unseen.

``rebuild`` recreates a missing or damaged state database (``wallet.db``) from the vault and the ledger (the
old database is kept aside as ``wallet.db.damaged-<time>``), with the same gap scan. Both show a progress
bar on a terminal (``--progress/--no-progress``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from tanglehub.cli.wallet.common import (
    DEFAULT_WALLET_DIR,
    NodeOpt,
    ProgressOpt,
    WalletDirOpt,
    err_console,
    node_urls,
    open_wallet,
    out_console,
    password,
    run,
)
from tanglehub.cli.wallet.progress_bar import ProgressBar
from tanglehub.wallet import Account, Wallet

__all__ = ["AccountGapOpt", "AddressGapOpt", "print_recovered", "rebuild", "recover", "recover_with_progress"]

AccountGapOpt = Annotated[
    int, typer.Option("--account-gap", help="Stop after this many unused accounts in a row.", min=1, max=1000)
]
AddressGapOpt = Annotated[
    int,
    typer.Option("--address-gap", help="Stop a chain after this many unused addresses in a row.", min=1, max=1000),
]
CoinTypeOpt = Annotated[
    int | None, typer.Option("--coin-type", help="4219 (Shimmer) or 4218 (IOTA); default: the old database's.")
]


async def recover_with_progress(
    wallet: Wallet, account_gap: int, address_gap: int, show: bool | None
) -> list[tuple[Account, int, int]]:
    """Run the gap scan with a progress bar; (account, address count, total) of every account found."""
    enabled = err_console.is_terminal if show is None else show
    with ProgressBar(err_console, enabled) as bar:
        accounts = await wallet.recover_accounts(account_gap, address_gap, progress=bar)
    return [(a, len(await a.addresses()), (await a.balance()).base_coin.total) for a in accounts]


def print_recovered(found: list[tuple[Account, int, int]]) -> None:
    """One line per account found (nothing when the mnemonic was never used)."""
    for account, count, total in found:
        out_console.print(
            f"account {account.index} {account.alias!r}: {count} address(es), total {total}", markup=False
        )
    if not found:
        err_console.print("no used account found: this mnemonic has no history on this network", markup=False)


def recover(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account_gap: AccountGapOpt = 3,
    address_gap: AddressGapOpt = 20,
    show_progress: ProgressOpt = None,
) -> None:
    """Find the accounts and addresses the wallet's mnemonic already used (gap limits), then sync them."""

    async def work() -> None:
        async with await open_wallet(wallet_dir, node) as wallet:
            print_recovered(await recover_with_progress(wallet, account_gap, address_gap, show_progress))

    run(work)


def rebuild(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    coin_type: CoinTypeOpt = None,
    account_gap: AccountGapOpt = 3,
    address_gap: AddressGapOpt = 20,
    show_progress: ProgressOpt = None,
) -> None:
    """Rebuild a missing or damaged state database from the vault and the ledger (the old one is kept aside)."""

    async def work() -> None:
        enabled = err_console.is_terminal if show_progress is None else show_progress
        with ProgressBar(err_console, enabled) as bar:
            wallet = await Wallet.rebuild(
                wallet_dir,
                password=password(),
                coin_type=coin_type,
                node_urls=node_urls(node),
                account_gap=account_gap,
                address_gap=address_gap,
                progress=bar,
            )
        async with wallet:
            report = wallet.last_rebuild
            moved = report.moved_aside if report is not None else ()
            kept = ", ".join(moved) or "none: it was missing"
            err_console.print(f"rebuilt the state database (old one kept: {kept})", markup=False)
            found = [
                (a, len(await a.addresses()), (await a.balance()).base_coin.total) for a in await wallet.accounts()
            ]
            print_recovered(found)

    run(work)
