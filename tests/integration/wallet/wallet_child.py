"""A child process for the wallet lock and crash-safe create tests (run as a script, not collected).

``python wallet_child.py hold DIR``: open the wallet in DIR on an in-process devnet, print ``open``, and keep
it open until stdin closes (or the process is killed).
``python wallet_child.py create-crash DIR``: create a wallet in DIR and SIGKILL itself right after the
vault is written, before the database exists.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.wallet_fixtures import PASSWORD, Devnet

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.node import DevnetNode
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams
from tanglehub.wallet import Wallet, WalletStore


async def main(mode: str, directory: Path) -> None:
    node = DevnetNode(DevnetConfig(milestone_interval=0))
    devnet = Devnet(node, create_app(node=node))
    pool = devnet.pool()
    if mode == "hold":
        wallet = await Wallet.open(directory, password=PASSWORD, pool=pool, idle_timeout=None, recover=False)
        print("open", flush=True)
        await asyncio.to_thread(sys.stdin.read)
        await wallet.close()
    elif mode == "create-crash":

        async def killed(*args: object, **kwargs: object) -> WalletStore:
            print("vault written", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
            raise AssertionError("unreachable")

        WalletStore.open_async = killed  # type: ignore[method-assign,assignment]
        await Wallet.create(
            directory, password=PASSWORD, coin_type=SHIMMER_COIN_TYPE, pool=pool, kdf=KdfParams.MINIMUM
        )
    await pool.aclose()
    node.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
