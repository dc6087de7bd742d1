"""The deposit scanner: follows confirmed milestones through the node core API's ``utxo-changes``.

Each round reads the node's confirmed milestone, picks the next run of milestones up to
``confirmed - confirmation_depth`` (at most ``scan_batch``), fetches each milestone's created outputs
(concurrently, one request per created output, never one per address), and hands them to
:func:`tanglehub.hub.deposits.service.apply_milestones`, which matches, records, credits and advances the
cursor in one database transaction. Node failures (5xx, dropped connections) make the round retry with a
bounded backoff from the same cursor: nothing is skipped or applied twice. While behind, it logs progress.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from tanglehub.hub.context import HubContext
from tanglehub.hub.deposits.service import ApplyResult, ScannedMilestone, apply_milestones, read_cursor
from tanglehub.node.cursor import MilestoneCursor
from tanglehub.node.errors import NodeError
from tanglehub.protocol.output import Output

__all__ = ["ScanProgress", "fetch_milestones", "run_scanner", "scan_once"]

log = logging.getLogger("tanglehub.hub.scanner")

FETCH_CONCURRENCY = 16


@dataclass(slots=True)
class ScanProgress:
    """What one :func:`scan_once` round did: milestones applied, deposits recorded/credited, where the cursor
    stands and how far the node is (``lag`` milestones still to scan)."""

    milestones: int = 0
    recorded: int = 0
    credited: int = 0
    next_index: int = 0
    confirmed: int = 0

    @property
    def lag(self) -> int:
        """Confirmed milestones not scanned yet."""
        return max(0, self.confirmed - self.next_index + 1)


async def fetch_milestones(ctx: HubContext, first: int, last: int) -> list[ScannedMilestone]:
    """Milestones ``first..last`` with their created outputs, read from the node."""
    cursor = MilestoneCursor(ctx.node, first)
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def output(oid: bytes) -> tuple[bytes, Output]:
        async with gate:
            return oid, (await ctx.node.get_output(oid)).output

    async def one(index: int) -> ScannedMilestone:
        async with gate:
            changes = await cursor.read(index)
        created = await asyncio.gather(*(output(oid) for oid in changes.created_outputs))
        return ScannedMilestone(index, changes.timestamp, created)

    return list(await asyncio.gather(*(one(i) for i in range(first, last + 1))))


def _apply(ctx: HubContext, milestones: list[ScannedMilestone]) -> ApplyResult:
    s = ctx.settings
    with ctx.sessionmaker() as session:
        return apply_milestones(
            session, milestones, min_deposit=s.min_deposit, sdruc_policy=s.sdruc_policy, hrp=s.bech32_hrp
        )


def _cursor(ctx: HubContext) -> int | None:
    with ctx.sessionmaker() as session:
        return read_cursor(session)


async def scan_once(ctx: HubContext) -> ScanProgress:
    """One round: scan up to ``scan_batch`` milestones that are confirmed deep enough; returns the progress."""
    progress = ScanProgress()
    start = await asyncio.to_thread(_cursor, ctx)
    if start is None:
        raise RuntimeError("the scanner cursor is not set; open the hub with open_hub() first")
    progress.next_index = start
    info = await ctx.node.get_info()
    progress.confirmed = info.status.confirmed_milestone.index
    target = progress.confirmed - ctx.settings.confirmation_depth
    if start > target:
        return progress
    last = min(target, start + max(1, ctx.settings.scan_batch) - 1)
    milestones = await fetch_milestones(ctx, start, last)
    result = await asyncio.to_thread(_apply, ctx, milestones)
    if result.applied:
        progress.milestones = len(milestones)
        progress.recorded = result.recorded
        progress.credited = result.credited
        progress.next_index = result.next_index
    else:
        progress.next_index = result.next_index
    return progress


async def run_scanner(ctx: HubContext, stop_event: asyncio.Event) -> None:
    """Scan until ``stop_event`` is set: catch up in batches, then poll every ``scan_poll_interval`` seconds."""
    failures = 0
    while not stop_event.is_set():
        try:
            progress = await scan_once(ctx)
            failures = 0
        except NodeError as exc:
            failures += 1
            delay = min(10.0, 0.25 * 2 ** min(failures, 6))
            log.warning("scanner: node unavailable (%s); retrying in %.1f s", exc, delay)
            await _wait(stop_event, delay)
            continue
        if progress.milestones and progress.lag:
            log.info(
                "scanner: catching up, next milestone %d of %d (%d behind); %d deposits credited this batch",
                progress.next_index,
                progress.confirmed,
                progress.lag,
                progress.credited,
            )
            continue
        await _wait(stop_event, ctx.settings.scan_poll_interval)


async def _wait(stop_event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop_event.wait(), seconds)
    except TimeoutError:
        return
