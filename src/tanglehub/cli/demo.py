"""``tanglehub demo``: the main job on embedded defaults (what ``make run`` runs).

It starts a local devnet node, creates a wallet with an exchange hot-wallet account and one user account,
funds the user's deposit address from the devnet faucet, syncs, sends part of it to the hot wallet, waits
for confirmation, prints the balances and the wallet's event log, and then keeps the node serving (with its
URLs and a short walkthrough) until Ctrl-C or SIGTERM (both stop it cleanly, exit 0, and remove its temporary
``tanglehub-demo-*`` folder). ``--exit`` stops after the walkthrough instead. The "Try:" hints name the
``tanglehub`` and ``python`` of the environment the demo runs in (``.venv/bin/...`` after ``make run``), since
that folder is usually not on PATH.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from tanglehub.cli.signals import sigterm_as_interrupt
from tanglehub.devnet import BackgroundServer, DevnetConfig
from tanglehub.devnet.server import free_port
from tanglehub.errors import ConfigError
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams
from tanglehub.wallet import Account, SyncMode, SyncOptions, Wallet

__all__ = ["demo"]

USER_DEPOSIT_WAIT = 30.0


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _tool(name: str) -> str:
    """The path of ``name`` beside the running interpreter (relative to the working folder when inside it).

    After ``make run`` that is ``.venv/bin/tanglehub`` / ``.venv/bin/python``; the bare name only when the
    interpreter's folder has no such program (then it has to be on PATH anyway).
    """
    folder = Path(sys.executable).parent
    path = folder / name
    if not path.exists():
        return name
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _amount(units: int) -> str:
    return f"{units / 1_000_000:,.6f}"


async def _wait_for_deposit(user: Account, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        await user.sync(SyncOptions(mode=SyncMode.LEDGER))
        available = (await user.balance()).base_coin.available
        if available > 0:
            return available
        if time.monotonic() > deadline:
            raise ConfigError(f"the faucet deposit did not arrive within {timeout:.0f} s")
        await asyncio.sleep(0.3)


async def _walkthrough(node_url: str, wallet_dir: Path) -> None:
    password = secrets.token_urlsafe(24)
    async with await Wallet.create(
        wallet_dir,
        password=password,
        coin_type=SHIMMER_COIN_TYPE,
        node_urls=[node_url],
        kdf=KdfParams.INTERACTIVE,
    ) as wallet:
        wallet.take_new_mnemonic()  # a throwaway demo seed: kept only inside the encrypted vault
        hot = await wallet.create_account("exchange-hot-wallet")
        user = await wallet.create_account("user-alice")
        deposit = await user.latest_unused_address()
        hot_address = await hot.latest_unused_address()
        print(f"wallet      {wallet_dir} (vault encrypted with a random one-time password)")
        print(f"accounts    #{hot.index} {hot.alias}, #{user.index} {user.alias}")
        print(f"deposit     {user.alias}: {deposit.bech32}")

        await wallet.node.request_faucet_funds(deposit.bech32)
        received = await _wait_for_deposit(user, USER_DEPOSIT_WAIT)
        print(f"faucet      credited {_amount(received)} to {user.alias} after confirmation")

        amount = received // 4
        record = await user.send(amount, hot_address.bech32)
        print(f"send        {_amount(amount)} {user.alias} -> {hot.alias}: tx 0x{record.tx_id.hex()}")
        final = await user.retry_until_included(record.tx_id, interval=0.3, max_attempts=100)
        print(f"tracking    transaction {final.state} in milestone {final.inclusion_index}")

        for account in (hot, user):
            await account.sync(SyncOptions(mode=SyncMode.LEDGER))
            balance = await account.balance()
            print(
                f"balance     {account.alias}: total {_amount(balance.base_coin.total)}, "
                f"available {_amount(balance.base_coin.available)}"
            )
        print("events      " + ", ".join(f"{d.event.kind}" for d in await wallet.events.history(0)))


def demo(
    port: Annotated[int, typer.Option(help="Port of the devnet node API (a free one if taken).")] = 14265,
    wallet_dir: Annotated[
        Path | None, typer.Option(help="Where to create the demo wallet (default: a temporary folder).")
    ] = None,
    exit_after: Annotated[bool, typer.Option("--exit", help="Stop after the walkthrough.")] = False,
) -> None:
    """Start a local devnet, fund a demo wallet from its faucet, send, and keep the node serving."""
    with sigterm_as_interrupt():
        _demo(port, wallet_dir, exit_after)


def _demo(port: int, wallet_dir: Path | None, exit_after: bool) -> None:
    if port < 0 or port > 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {port}")
    if not _port_is_free(port):
        taken, port = port, free_port()
        print(f"port {taken} is taken; using {port}")
    if wallet_dir is not None and wallet_dir.exists():
        if not wallet_dir.is_dir():
            raise ConfigError(f"{wallet_dir} is a file; give a new folder for the demo wallet")
        if any(wallet_dir.iterdir()):
            raise ConfigError(f"{wallet_dir} is not empty; give a new folder for the demo wallet")
    with tempfile.TemporaryDirectory(prefix="tanglehub-demo-") as tmp:
        target = wallet_dir or Path(tmp) / "wallet"
        config = DevnetConfig(port=port, milestone_interval=0.5)
        with BackgroundServer(config) as server:
            print(
                f"devnet      {server.url} (network {config.network_name}, hrp {config.hrp}, "
                f"a milestone every {config.milestone_interval} s)"
            )
            asyncio.run(_walkthrough(server.url, target))
            print()
            print("The devnet keeps serving. Try:")
            print(f"  curl {server.url}/api/core/v2/info")
            print(f"  curl '{server.url}/api/indexer/v1/outputs/basic?pageSize=5'")
            print(
                f"  curl -X POST {server.url}/api/plugins/faucet/v1/enqueue -H 'content-type: application/json' \\"
            )
            print(f'       -d \'{{"address": "<a {config.hrp}1... address>"}}\'')
            derive = f"keys derive --coin-type {SHIMMER_COIN_TYPE} --hrp {config.hrp} --count 3"
            print(f"  {_tool('tanglehub')} keys generate | {_tool('tanglehub')} {derive}")
            guide = "examples/exchange/1-generate-mnemonic.py   (the exchange guide, step by step)"
            print(f"  {_tool('python')} {guide}")
            if exit_after:
                return
            print("Press Ctrl-C to stop.", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                print("\ndevnet stopped")
