"""The address-pool refill: keeps ``address_pool_target`` pre-derived, unassigned deposit addresses ready.

When fewer than ``address_pool_low_water`` wait, it derives batches of ``address_pool_batch`` through the
:class:`~tanglehub.hub.addresses.source.AddressSource` (outside any database transaction) until the target is
reached again, logging progress. Assignment never waits on it: it only takes rows that are already there.
"""

from __future__ import annotations

import asyncio
import logging

from tanglehub.hub.addresses import repository
from tanglehub.hub.addresses.service import plan_refill, store_refill
from tanglehub.hub.context import HubContext

__all__ = ["fill_pool", "refill_once", "run_pool_refill"]

log = logging.getLogger("tanglehub.hub.pool")


def _ready(ctx: HubContext) -> int:
    with ctx.sessionmaker() as session:
        return repository.count_unassigned(session)


async def refill_once(ctx: HubContext, *, target: int | None = None) -> int:
    """Derive and store one batch if the pool is below ``target`` (default: the settings'); returns how many
    addresses were added (0: already full, or another process stored the same range first)."""
    s = ctx.settings
    want = s.address_pool_target if target is None else target

    def plan() -> tuple[int, int]:
        with ctx.sessionmaker() as session:
            return plan_refill(session, target=want, batch=s.address_pool_batch)

    start, count = await asyncio.to_thread(plan)
    if count <= 0:
        return 0
    hashes = await ctx.address_source.derive_addresses(s.deposit_account, 0, start, count)

    def store() -> int:
        with ctx.sessionmaker() as session:
            return store_refill(session, start, hashes, s.bech32_hrp)

    return await asyncio.to_thread(store)


async def fill_pool(ctx: HubContext, *, target: int | None = None) -> int:
    """Refill batch after batch until ``target`` addresses wait; returns how many were added."""
    added = 0
    while True:
        n = await refill_once(ctx, target=target)
        if n == 0:
            return added
        added += n
        log.info("address pool: %d addresses derived so far", added)


async def run_pool_refill(ctx: HubContext, stop_event: asyncio.Event, *, poll_interval: float = 1.0) -> None:
    """Refill whenever the pool falls below the low-water mark, until ``stop_event`` is set."""
    while not stop_event.is_set():
        ready = await asyncio.to_thread(_ready, ctx)
        if ready < ctx.settings.address_pool_low_water or ready == 0:
            added = await fill_pool(ctx)
            log.info("address pool: refilled with %d addresses (%d were ready)", added, ready)
        try:
            await asyncio.wait_for(stop_event.wait(), poll_interval)
        except TimeoutError:
            continue
