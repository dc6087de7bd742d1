"""``run_workers``: the hub's background workers, each under its single-active lock, until told to stop.

Runs the deposit scanner, the address-pool refill, the payouts batcher
(:func:`tanglehub.hub.workers.batcher.run_batcher`), the treasury worker (sweeps, cold moves, floor alert;
:func:`tanglehub.hub.workers.treasurer.run_treasurer`) and the webhook worker
(:func:`tanglehub.hub.webhooks.worker.run_webhook_worker`). On PostgreSQL each holds its own advisory lock, so
across any number of processes exactly one instance of each runs and a standby takes over within seconds; on
SQLite the process lock taken by :func:`~tanglehub.hub.context.open_hub` already makes this the only process.
A worker that fails unexpectedly is logged and restarted after a pause.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from tanglehub.hub.context import HubContext
from tanglehub.hub.locks import POOL_LOCK_KEY, SCANNER_LOCK_KEY, WEBHOOK_LOCK_KEY, run_exclusive
from tanglehub.hub.workers.batcher import BATCHER_LOCK_KEY, run_batcher
from tanglehub.hub.workers.pool import run_pool_refill
from tanglehub.hub.workers.scanner import run_scanner
from tanglehub.hub.workers.treasurer import TREASURER_LOCK_KEY, run_treasurer

__all__ = ["run_workers"]

log = logging.getLogger("tanglehub.hub.workers")

Worker = Callable[[HubContext, asyncio.Event], Awaitable[None]]


async def _supervised(ctx: HubContext, name: str, worker: Worker, stop_event: asyncio.Event) -> None:
    """Run ``worker`` until ``stop_event``; restart it after a pause when it raises."""
    while not stop_event.is_set():
        try:
            await worker(ctx, stop_event)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; restarting in 2 s", name)
            try:
                await asyncio.wait_for(stop_event.wait(), 2.0)
            except TimeoutError:
                continue


async def _webhooks(ctx: HubContext, stop_event: asyncio.Event) -> None:
    from tanglehub.hub.webhooks.worker import run_webhook_worker  # noqa: PLC0415 - EDGE's worker

    await run_webhook_worker(ctx, stop_event)


async def run_workers(ctx: HubContext, stop_event: asyncio.Event, *, webhooks: bool = True) -> None:
    """Run every worker (see the module docstring) until ``stop_event`` is set."""
    workers: list[tuple[str, int, Worker]] = [
        ("scanner", SCANNER_LOCK_KEY, run_scanner),
        ("address pool", POOL_LOCK_KEY, run_pool_refill),
        ("batcher", BATCHER_LOCK_KEY, run_batcher),
        ("treasurer", TREASURER_LOCK_KEY, run_treasurer),
    ]
    if webhooks:
        workers.append(("webhooks", WEBHOOK_LOCK_KEY, _webhooks))

    async def guarded(name: str, key: int, worker: Worker) -> None:
        await run_exclusive(
            ctx.engine, key, stop_event, lambda: _supervised(ctx, name, worker, stop_event), name=name
        )

    await asyncio.gather(*(guarded(n, k, w) for n, k, w in workers))
