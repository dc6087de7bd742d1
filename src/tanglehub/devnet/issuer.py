"""Issuing milestones from the event loop: the timer task and the "issue now" used by the admin route.

Both go through one lock so milestones never interleave, and both wait (without blocking the loop) when the
next timestamp would run more than ``MAX_LEAD`` seconds ahead of the wall clock.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tanglehub.devnet.errors import DevnetUnavailable
from tanglehub.devnet.milestones import wait_before
from tanglehub.devnet.node import DevnetNode

__all__ = ["issue_now", "milestone_timer"]

log = logging.getLogger("tanglehub.devnet")


async def issue_now(app: Any) -> int:
    """Issue the next milestone as soon as the timestamp rules allow; returns its index."""
    node: DevnetNode = app.state.node
    lock: asyncio.Lock = app.state.milestone_lock
    async with lock:
        if node.faults.milestones_paused:
            raise DevnetUnavailable("milestones are paused (fault injection)")
        delay = wait_before(node.latest_timestamp, node.clock())
        if delay > 0:
            await asyncio.sleep(delay)
        return node.issue_milestone()


async def milestone_timer(app: Any, interval: float) -> None:
    """Issue a milestone every ``interval`` seconds until cancelled (skipped while paused)."""
    node: DevnetNode = app.state.node
    loop = asyncio.get_running_loop()
    next_at = loop.time() - interval  # the first milestone right away
    while True:
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - loop.time()))
        if node.faults.milestones_paused:
            continue
        try:
            await issue_now(app)
        except DevnetUnavailable:
            continue
        except Exception:  # a bug must not stop the devnet's clock; it is logged with its traceback
            log.exception("issuing a milestone failed")
        if loop.time() > next_at + interval:
            next_at = loop.time() - interval  # fell more than an interval behind: next one now, no catch-up burst
