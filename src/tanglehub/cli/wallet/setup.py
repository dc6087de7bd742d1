"""``tanglehub wallet create | backup | restore | change-password``: the wallet's life cycle.

``create`` shows a new mnemonic once (on standard output, alone, so it can be redirected to paper or a file
kept offline) or, with ``--import``, reads an existing one from standard input. Passwords come from the
environment or a prompt (:mod:`tanglehub.cli.wallet.common`), never from the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tanglehub.cli.keys import read_mnemonic
from tanglehub.cli.wallet.common import (
    BACKUP_PASSWORD_ENV,
    DEFAULT_WALLET_DIR,
    NEW_PASSWORD_ENV,
    KdfOpt,
    NodeOpt,
    WalletDirOpt,
    err_console,
    kdf_params,
    new_password,
    node_urls,
    open_wallet,
    out_console,
    password,
    run,
)
from tanglehub.keys.bip39 import validate_mnemonic
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.wallet import Wallet

__all__ = ["backup", "change_password", "create", "restore"]

CoinTypeOpt = Annotated[int, typer.Option("--coin-type", help="4219 (Shimmer) or 4218 (IOTA).")]


def create(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    coin_type: CoinTypeOpt = SHIMMER_COIN_TYPE,
    import_mnemonic: Annotated[
        bool, typer.Option("--import", help="Read an existing mnemonic from standard input instead.")
    ] = False,
    kdf: KdfOpt = "moderate",
) -> None:
    """Create a wallet: a new 24-word mnemonic shown ONCE (or --import one from standard input)."""

    async def work() -> None:
        params = kdf_params(kdf)
        mnemonic = validate_mnemonic(read_mnemonic()) if import_mnemonic else None
        secret = new_password("TANGLEHUB_WALLET_PASSWORD", "new wallet password")
        wallet = await Wallet.create(
            wallet_dir,
            password=secret,
            coin_type=coin_type,
            node_urls=node_urls(node),
            mnemonic=mnemonic,
            kdf=params,
        )
        async with wallet:
            err_console.print(
                f"Created the wallet in {wallet.path} for network {wallet.network_name!r} "
                f"(addresses {wallet.bech32_hrp}1..., coin type {wallet.coin_type}).",
                markup=False,
            )
            if mnemonic is None:
                err_console.print(
                    "Your new mnemonic follows, shown ONCE: write it down and keep it offline. Anyone who has it "
                    "owns the funds; without it a lost vault cannot be recovered.",
                    markup=False,
                )
                out_console.print(wallet.take_new_mnemonic(), markup=False)
            else:
                err_console.print("The mnemonic was imported into the encrypted vault.", markup=False)

    run(work)


def backup(
    destination: Annotated[Path, typer.Argument(help="The backup file to write.", show_default=False)],
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    kdf: KdfOpt = "moderate",
) -> None:
    """Write one encrypted backup file (vault + state), protected by a backup password."""

    async def work() -> None:
        params = kdf_params(kdf)
        async with await open_wallet(wallet_dir, node) as wallet:
            secret = new_password(BACKUP_PASSWORD_ENV, "backup password")
            written = await wallet.backup(destination, secret, kdf=params)
        out_console.print(f"backup written to {written}", markup=False)

    run(work)


def restore(
    backup_file: Annotated[Path, typer.Argument(help="The backup file to read.", show_default=False)],
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    coin_type: CoinTypeOpt = SHIMMER_COIN_TYPE,
) -> None:
    """Restore a backup into a new wallet directory; the wallet's password becomes the backup's password."""

    async def work() -> None:
        secret = password(BACKUP_PASSWORD_ENV, "backup password")
        wallet = await Wallet.restore(
            backup_file, wallet_dir, secret, coin_type=coin_type, node_urls=node_urls(node)
        )
        async with wallet:
            count = len(await wallet.accounts())
            out_console.print(
                f"restored {count} account(s) into {wallet.path}; its password is the backup's password "
                "(change it with `tanglehub wallet change-password`)",
                markup=False,
            )

    run(work)


def change_password(*, wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR, node: NodeOpt = None) -> None:
    """Re-encrypt the vault under a new password (from TANGLEHUB_WALLET_NEW_PASSWORD or a prompt)."""

    async def work() -> None:
        old = password()
        async with await Wallet.open(wallet_dir, password=old, node_urls=node_urls(node)) as wallet:
            new = new_password(NEW_PASSWORD_ENV, "new wallet password")
            await wallet.change_password(old, new)
        out_console.print("password changed; earlier backups keep the password they were made with", markup=False)

    run(work)
