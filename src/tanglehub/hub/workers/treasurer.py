"""The treasury worker: sweeps, the hot ceiling's moves to cold storage and the floor alert, on a timer.

Every ``settings.treasury_interval`` seconds, under its own single-active lock (:data:`TREASURER_LOCK_KEY`):
:func:`tanglehub.hub.sweeps.service.build_sweep`, :func:`tanglehub.hub.treasury.service.build_move` and
:func:`tanglehub.hub.treasury.service.check_floor`. It only builds batches (each in one write transaction,
one of each kind in flight at a time); the batcher signs, submits and tracks them with every other batch, so
a crash anywhere resumes from the database. Without a signer (``ctx.signer`` None) it idles. After the signer
refuses a move (e.g. ``FOREIGN_OUTPUT``: a cold address its policy does not know) the next move waits
``treasury_interval * 2**refusals`` seconds (at most an hour); changing the cold address, ceiling or target,
or restarting the worker, ends the back-off.
"""

from __future__ import annotations

import asyncio
import logging
import time

from tanglehub.hub.context import HubContext
from tanglehub.hub.payouts.build import BuildParams
from tanglehub.hub.sweeps.service import build_sweep
from tanglehub.hub.treasury.hooks import register_all
from tanglehub.hub.treasury.service import build_move, check_floor
from tanglehub.node.errors import NodeError

__all__ = ["TREASURER_LOCK_KEY", "Treasurer", "run_treasurer"]

log = logging.getLogger("tanglehub.hub.treasurer")

TREASURER_LOCK_KEY = 7105
"""Advisory lock key of the treasury worker (one active per database)."""


class Treasurer:
    """One treasury worker on ``ctx`` with the network's build parameters; :meth:`round` runs one round."""

    def __init__(self, ctx: HubContext, params: BuildParams) -> None:
        self.ctx = ctx
        self.params = params
        self.started_ms = int(time.time() * 1000)
        """Signer refusals of moves before this (an earlier run, perhaps with another signer) start no back-off."""
        register_all()

    def round(self) -> list[int]:
        """One round (blocking; run it in a thread): returns the ids of the batches built."""
        built: list[int] = []
        s = self.ctx.settings
        now = int(time.time())
        with self.ctx.sessionmaker() as session:
            sweep = build_sweep(session, s, self.params, now)
            if sweep is not None:
                built.append(sweep.id)
        with self.ctx.sessionmaker() as session:
            move = build_move(session, s, self.params, now, refusals_since_ms=self.started_ms)
            if move is not None:
                built.append(move.id)
        with self.ctx.sessionmaker() as session:
            check_floor(session, s)
        return built


async def run_treasurer(ctx: HubContext, stop_event: asyncio.Event) -> None:
    """Run the treasury worker until ``stop_event`` is set (see the module docstring)."""
    if ctx.signer is None:
        log.info("treasurer: no signer configured; no sweeps or treasury moves")
        await stop_event.wait()
        return
    treasurer: Treasurer | None = None
    while not stop_event.is_set():
        delay = ctx.settings.treasury_interval
        try:
            if treasurer is None:
                info = await ctx.node.get_info()
                treasurer = Treasurer(ctx, info.protocol_parameters())
            built = await asyncio.to_thread(treasurer.round)
            if built:
                log.info("treasurer: built batches %s", built)
        except NodeError as exc:
            log.warning("treasurer: node unavailable (%s)", exc.message)
        try:
            await asyncio.wait_for(stop_event.wait(), delay)
        except TimeoutError:
            continue
