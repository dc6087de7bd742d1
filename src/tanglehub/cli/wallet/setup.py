"""``tanglehub wallet create | backup | restore | change-password``: the wallet's life cycle.

``create`` shows a new mnemonic once (on standard output, alone, so it can be redirected to paper or a file
kept offline) or, with ``--import``, reads an existing one from standard input. Passwords come from the
environment or a prompt (:mod:`tanglehub.cli.wallet.common`), never from the command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
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
from tanglehub.cli.wallet.recovery import print_recovered, recover_with_progress
from tanglehub.keys.bip39 import validate_mnemonic
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.wallet import Wallet, WalletArgumentError
from tanglehub.wallet.layout import remove_leftovers
from tanglehub.wallet.lock import LOCK_FILE_NAME

__all__ = ["backup", "change_password", "create", "restore"]

CoinTypeOpt = Annotated[int, typer.Option("--coin-type", help="4219 (Shimmer) or 4218 (IOTA).")]


def _show_mnemonic(words: str) -> OSError | None:
    """Write the new mnemonic alone on standard output; the OSError when it could not be written (a full disk,
    a closed pipe), after which standard output is pointed at /dev/null so nothing else fails on it."""
    try:
        sys.stdout.write(words + "\n")
        sys.stdout.flush()
    except OSError as exc:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return exc
    return None


def _remove_unseen_wallet(directory: Path, made_directory: bool) -> None:
    """Delete a wallet whose new mnemonic nobody saw (its funds could never be recovered)."""
    remove_leftovers(directory, own_vault=True)
    (directory / LOCK_FILE_NAME).unlink(missing_ok=True)
    if made_directory:
        with contextlib.suppress(OSError):
            directory.rmdir()


def create(
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    coin_type: CoinTypeOpt = SHIMMER_COIN_TYPE,
    import_mnemonic: Annotated[
        bool, typer.Option("--import", help="Read an existing mnemonic from standard input instead.")
    ] = False,
    recover: Annotated[
        bool,
        typer.Option("--recover", help="With --import: find the mnemonic's used accounts and addresses now."),
    ] = False,
    kdf: KdfOpt = "moderate",
) -> None:
    """Create a wallet: a new 24-word mnemonic shown ONCE (or --import one from standard input).

    If the new mnemonic cannot be written to standard output (a full disk, a closed pipe), the new wallet is
    removed again: a wallet whose mnemonic nobody saw is never kept."""

    async def work() -> None:
        params = kdf_params(kdf)
        if recover and not import_mnemonic:
            raise WalletArgumentError("--recover goes with --import (a new mnemonic has nothing to recover)")
        mnemonic = validate_mnemonic(read_mnemonic()) if import_mnemonic else None
        secret = new_password("TANGLEHUB_WALLET_PASSWORD", "new wallet password")
        made_directory = not wallet_dir.exists()
        wallet = await Wallet.create(
            wallet_dir,
            password=secret,
            coin_type=coin_type,
            node_urls=node_urls(node),
            mnemonic=mnemonic,
            kdf=params,
        )
        failed: OSError | None = None
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
                failed = _show_mnemonic(wallet.take_new_mnemonic())
            else:
                err_console.print("The mnemonic was imported into the encrypted vault.", markup=False)
                if recover:
                    print_recovered(await recover_with_progress(wallet, 3, 20, None))
                else:
                    err_console.print(
                        "If this mnemonic was used before, find its accounts and funds with "
                        "`tanglehub wallet recover` (a gap scan; accounts made here otherwise start empty).",
                        markup=False,
                    )
        if failed is not None:
            await asyncio.to_thread(_remove_unseen_wallet, wallet.path, made_directory)
            raise WalletArgumentError(
                f"could not write the new mnemonic to standard output ({failed.strerror or failed}); the new "
                f"wallet was removed, since nobody saw its mnemonic. Run the command again with standard output "
                "on a terminal or a file you keep offline"
            )

    run(work)


def backup(
    destination: Annotated[Path, typer.Argument(help="The backup file to write.", show_default=False)],
    *,
    wallet_dir: WalletDirOpt = DEFAULT_WALLET_DIR,
    node: NodeOpt = None,
    kdf: KdfOpt = "moderate",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing backup file (never a wallet's own files).")
    ] = False,
) -> None:
    """Write one encrypted backup file (vault + state), protected by a backup password."""

    async def work() -> None:
        params = kdf_params(kdf)
        async with await open_wallet(wallet_dir, node) as wallet:
            secret = new_password(BACKUP_PASSWORD_ENV, "backup password")
            written = await wallet.backup(destination, secret, kdf=params, overwrite=overwrite)
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
