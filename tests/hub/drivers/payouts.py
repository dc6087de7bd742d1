"""A hub child process WITH a signer for the payout tests over real HTTP (``python -m
tests.hub.drivers.payouts``): like :mod:`tests.hub.drivers.serve` (API + workers, addresses from the test
mnemonic, admin key in ``<data-dir>/admin.key``, ``ready`` on stdout) plus an in-process signer over the test
mnemonic (the same policy checks as the signing server, its state in the data directory) so the batcher pays.

``TANGLEHUB_HUB_CRASH_AT=<point>:<n>`` SIGKILLs the process at the n-th pass of a named payout point:

* ``withdraw-inside``: inside a withdrawal request's transaction after the debit, before the COMMIT;
* ``build-after``: right after withdrawal batches were built and committed (before anything is signed);
* ``sign-after``: after the signer answered, before the signed payload is stored;
* ``submit-before-post``: after the block id was stored, before the block is posted;
* ``submit-after-post``: right after the block was posted;
* ``confirm-inside``: inside the confirming transaction after a withdrawal was booked paid, before the COMMIT;
* ``confirm-after``: right after a batch's confirmation committed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import Any

from tests.hub.drivers.serve import CRASH_ENV, HUB_MNEMONIC, _counter, serve_api, stop_on_signals, write_admin_key

from tanglehub.hub.context import open_hub
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.signing import InProcessSigner, PoolDeadCheck
from tanglehub.node import NodePool
from tanglehub.vault import MnemonicSigner


def install_payout_crash_point(spec: str) -> None:
    """Patch the payouts code so the process dies at the named point (see the module docstring)."""
    point, _, n = spec.partition(":")
    hit = _counter(point, int(n or "1"))
    import tanglehub.hub.payouts.driver as driver
    import tanglehub.hub.payouts.settle as settle
    import tanglehub.hub.withdrawals.book as book
    import tanglehub.hub.workers.batcher as batcher

    def after(module: Any, name: str, when: Any = bool) -> None:
        original = getattr(module, name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if when(result):
                hit()
            return result

        setattr(module, name, wrapped)

    if point == "withdraw-inside":
        after(book, "debit", lambda _: True)
    elif point == "build-after":
        after(batcher, "build_withdrawal_batches", lambda r: bool(r.batches))
    elif point == "sign-after":
        original = settle.mark_signed

        def signed(*args: Any, **kwargs: Any) -> Any:
            hit()
            return original(*args, **kwargs)

        settle.mark_signed = signed  # type: ignore[assignment]
    elif point == "submit-before-post":
        after(settle, "mark_submitted")
    elif point == "submit-after-post":
        original_post = NodePool.post_block

        async def post(self: NodePool, *args: Any, **kwargs: Any) -> Any:
            result = await original_post(self, *args, **kwargs)
            hit()
            return result

        NodePool.post_block = post  # type: ignore[method-assign]
    elif point == "confirm-inside":
        original_pay = book.pay

        def pay(*args: Any, **kwargs: Any) -> None:
            original_pay(*args, **kwargs)
            hit()

        book.pay = pay  # type: ignore[assignment]
    elif point == "confirm-after":
        after(settle, "confirm")
    else:
        raise SystemExit(f"unknown crash point {point!r}")
    _ = driver


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--node", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--approval-threshold", type=int, default=None)
    parser.add_argument("--batch-wait", type=float, default=0.3)
    parser.add_argument("--api-only", action="store_true")
    args = parser.parse_args()
    if os.environ.get(CRASH_ENV):
        install_payout_crash_point(os.environ[CRASH_ENV])
    settings = HubSettings(
        data_dir=args.data_dir,
        database_url=args.database_url,
        node_urls=(args.node,),
        address_pool_target=120,
        address_pool_low_water=60,
        address_pool_batch=60,
        scan_batch=20,
        scan_poll_interval=0.1,
        batch_wait=args.batch_wait,
        reissue_after=3.0,
        payout_poll_interval=0.1,
        withdrawal_approval_threshold=args.approval_threshold,
    )
    args.data_dir.mkdir(parents=True, exist_ok=True)
    mnemonic = MnemonicSigner(HUB_MNEMONIC)
    dead_pool = NodePool([args.node], max_milestone_age=None)
    signer = InProcessSigner(settings, mnemonic, dead_check=PoolDeadCheck(dead_pool))
    ctx = await open_hub(settings, signer=signer)
    write_admin_key(ctx, args.data_dir)
    stop = stop_on_signals()
    try:
        await serve_api(ctx, stop, port=args.port, api_only=args.api_only)
    finally:
        await ctx.aclose()
        await dead_pool.aclose()


if __name__ == "__main__":
    asyncio.run(main())
