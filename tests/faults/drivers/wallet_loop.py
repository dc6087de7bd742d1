"""Driver: open the crash-test wallet, recover, then loop over sync / send / track steps until killed.

Usage: python -m tests.faults.drivers.wallet_loop WALLET_DIR NODE_URL --mode send|sync --seed N
[--external BECH32] [--steps N]. Prints ``ready`` after opening and recovering, then one line per step
(``synced``, ``tracked``, ``sent <tx id>``, ``send-failed <code>``), ``done`` after ``--steps`` steps.
Honours ``TANGLEHUB_CRASH_AT`` (:mod:`tests.faults.drivers.crashpoints`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random

from tests.faults.drivers.crashpoints import ENV_VAR, install
from tests.faults.harness import PASSWORD

from tanglehub.errors import TanglehubError
from tanglehub.node import NodePool
from tanglehub.wallet import SyncMode, SyncOptions, Wallet
from tanglehub.wallet.operations.send import send
from tanglehub.wallet.operations.tracking import sync_pending_transactions

LEDGER = SyncOptions(SyncMode.LEDGER)
INDEXER = SyncOptions(SyncMode.INDEXER)


def say(text: str) -> None:
    """One progress line on stdout."""
    print(text, flush=True)


async def run(args: argparse.Namespace) -> None:
    """Open (which runs crash recovery), loop (see the module docstring)."""
    pool = NodePool([args.url], max_milestone_age=None)
    wallet = await Wallet.open(args.wallet, password=PASSWORD, pool=pool, idle_timeout=None)  # recovers
    account = await wallet.get_account("main")
    own = [a.bech32 for a in await account.addresses(internal=False)]
    rng = random.Random(args.seed)
    say("ready")
    step = 0
    while args.steps is None or step < args.steps:
        step += 1
        r = rng.random()
        if args.mode == "sync":
            await wallet.sync(LEDGER if r < 0.5 else INDEXER)
            say("synced")
        elif r < 0.25:
            await wallet.sync(LEDGER)
            say("synced")
        elif r < 0.4:
            await sync_pending_transactions(account)
            say("tracked")
        else:
            to = args.external if args.external and rng.random() < 0.3 else rng.choice(own)
            try:
                rec = await send(account, rng.randint(1, 4) * 100_000, to)
            except TanglehubError as exc:  # e.g. every input reserved by a pending transaction
                say(f"send-failed {exc.code} {exc}")
                await asyncio.sleep(0.1)
                continue
            say(f"sent {rec.tx_id.hex()}")
    await wallet.close()
    say("done")


def main() -> None:
    """Parse the arguments, arm the crash point, run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("wallet")
    parser.add_argument("url")
    parser.add_argument("--mode", choices=("send", "sync"), required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--external", default=None)
    parser.add_argument("--steps", type=int, default=None)
    args = parser.parse_args()
    install(os.environ.get(ENV_VAR))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
