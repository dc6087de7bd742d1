"""``tanglehub wallet account create|list`` and ``tanglehub wallet address new|list``."""

from __future__ import annotations

import json
from typing import Annotated

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
    run,
)
from tanglehub.cli.wallet.progress_bar import ProgressBar
from tanglehub.cli.wallet.recovery import recover
from tanglehub.wallet import AddressRecord, WalletArgumentError

__all__ = ["account_app", "address_app"]

account_app = typer.Typer(
    name="account", help="Accounts (one per user, or one for the exchange).", no_args_is_help=True
)
address_app = typer.Typer(name="address", help="An account's deposit and change addresses.", no_args_is_help=True)


@account_app.command("create")
def account_create(
    alias: Annotated[
        str,
        typer.Argument(help="A unique alias (compared ignoring case and accents; not all digits), e.g. user-1."),
    ],
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
) -> None:
    """Create an account with the next index; it starts with one public address."""

    async def work() -> None:
        async with await open_wallet(wallet_dir, node) as wallet:
            account = await wallet.create_account(alias)
            first = (await account.addresses(internal=False))[0]
        out_console.print(f"account {account.index} {account.alias!r}: {first.bech32}", markup=False)

    run(work)


@account_app.command("list")
def account_list(
    *, wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR, node: NodeOpt = None, as_json: JsonOpt = False
) -> None:
    """List the wallet's accounts by index."""

    async def work() -> None:
        async with await open_wallet(wallet_dir, node, read_only=True) as wallet:
            rows = []
            for account in await wallet.accounts():
                public = await account.addresses(internal=False)
                internal = await account.addresses(internal=True)
                rows.append((account.index, account.alias, len(public), len(internal)))
        if as_json:
            keys = ("index", "alias", "publicAddresses", "internalAddresses")
            out_console.print(json.dumps([dict(zip(keys, r, strict=True)) for r in rows]), markup=False)
            return
        table = Table("index", "alias", "public addresses", "internal addresses", title="accounts")
        for index, alias, public_count, internal_count in rows:
            table.add_row(str(index), alias, str(public_count), str(internal_count))
        out_console.print(table)

    run(work)


account_app.command("recover")(recover)


def _address_json(record: AddressRecord) -> dict[str, object]:
    return {
        "address": record.bech32,
        "accountIndex": record.account_index,
        "internal": record.internal,
        "keyIndex": record.key_index,
        "used": record.used,
    }


@address_app.command("new")
def address_new(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account: AccountOpt = None,
    count: Annotated[int, typer.Option("--count", "-c", help="How many addresses (1 to 100,000).")] = 1,
    internal: Annotated[bool, typer.Option("--internal", help="The internal (change) chain.")] = False,
    as_json: JsonOpt = False,
    show_progress: ProgressOpt = None,
) -> None:
    """Generate the next address(es) of the account and print them, one per line."""

    async def work() -> None:
        async with await open_wallet(wallet_dir, node) as wallet:
            chosen = await choose_account(wallet, account)
            enabled = err_console.is_terminal if show_progress is None else show_progress
            with ProgressBar(err_console, enabled and count > 1) as bar:
                records = await chosen.generate_addresses(count, internal, progress=bar)
        if as_json:
            out_console.print(json.dumps([_address_json(r) for r in records]), markup=False)
        else:
            out_console.print("\n".join(r.bech32 for r in records), markup=False)

    run(work)


@address_app.command("list")
def address_list(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    account: AccountOpt = None,
    chain: Annotated[str, typer.Option("--chain", help="public, internal or all.")] = "all",
    as_json: JsonOpt = False,
) -> None:
    """List the account's addresses with their key index (a stable user -> address mapping)."""

    async def work() -> None:
        if chain not in ("public", "internal", "all"):
            raise WalletArgumentError(f"--chain must be public, internal or all, got {chain!r}")
        internal = None if chain == "all" else chain == "internal"
        async with await open_wallet(wallet_dir, node, read_only=True) as wallet:
            chosen = await choose_account(wallet, account)
            records = await chosen.addresses(internal=internal)
        if as_json:
            out_console.print(json.dumps([_address_json(r) for r in records]), markup=False)
            return
        table = Table("key index", "chain", "address", "used", title=f"addresses of account {chosen.alias!r}")
        for r in records:
            table.add_row(
                str(r.key_index), "internal" if r.internal else "public", r.bech32, "yes" if r.used else ""
            )
        out_console.print(table)

    run(work)
