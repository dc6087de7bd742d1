"""The batcher: pays queued withdrawals continuously and drives every in-flight batch to its end.

Each round (every ``payout_poll_interval`` seconds):

1. makes sure the hot addresses exist (derived through the signer, so the signer knows them as its own);
2. records credited deposits missing from ``hub_outputs`` (one node lookup each) and, every few seconds,
   outputs someone paid to a hot address (``funding``; outputs of our own batches are recorded by their
   confirmation, never as funding);
3. advances every batch in ``building`` / ``signed`` / ``submitted`` concurrently
   (:func:`tanglehub.hub.payouts.driver.advance`), whatever its kind (sweeps, treasury moves and recoveries
   built by other workers included);
4. when the oldest queued withdrawal has waited ``batch_wait`` seconds or ``batch_max`` are queued, builds as
   many batches as free slots allow (``batches_in_flight``), each on its own inputs.

State lives in the database, so a restarted batcher (or a standby on PostgreSQL, which takes over through the
advisory lock of :func:`tanglehub.hub.locks.run_exclusive`) resumes every in-flight batch where it stood.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy import func, select

from tanglehub.hub.context import HubContext
from tanglehub.hub.db import lock_writes
from tanglehub.hub.errors import HubNetworkMismatch
from tanglehub.hub.models.payout import Batch, HotAddress, HubOutput
from tanglehub.hub.outputs import service as outputs
from tanglehub.hub.payouts.build import SignsTransactions
from tanglehub.hub.payouts.driver import DriverConfig, advance
from tanglehub.hub.payouts.withdrawal_batches import build_withdrawal_batches, queue_status
from tanglehub.hub.treasury.hooks import register_all as register_kind_hooks
from tanglehub.keys.slip10 import Bip44
from tanglehub.node.errors import NodeError
from tanglehub.node.query import BasicOutputQuery
from tanglehub.protocol.jsonutil import hex_from_bytes
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.signer.errors import SignerUnavailable

__all__ = ["BATCHER_LOCK_KEY", "IN_FLIGHT", "Batcher", "run_batcher"]

log = logging.getLogger("tanglehub.hub.batcher")

BATCHER_LOCK_KEY = 7104
"""Advisory lock key of the batcher (one active batcher per database)."""
IN_FLIGHT = ("building", "signed", "submitted")
FUNDING_EVERY = 2.0
FETCH_CONCURRENCY = 16


class Batcher:
    """One batcher on ``ctx`` with ``signer`` (see the module docstring); :meth:`round` runs one round."""

    def __init__(
        self, ctx: HubContext, signer: SignsTransactions, params: ProtocolParameters, min_pow: int
    ) -> None:
        self.ctx = ctx
        self.signer = signer
        self.params = params
        s = ctx.settings
        self.cfg = DriverConfig(
            ctx.sessionmaker,
            ctx.node,
            signer,
            s.coin_type,
            s.hot_account,
            s.reissue_after,
            protocol_version=params.version,
            min_pow_score=min_pow,
        )
        self._last_funding = 0.0
        self._hot_checked = False
        register_kind_hooks()  # sweep / treasury / recovery hooks settle with every batch this process drives

    def _hot_count(self) -> int:
        with self.ctx.sessionmaker() as session:
            return int(session.scalar(select(func.count(HotAddress.address_index))) or 0)

    def _record_hot(self, start: int, hashes: list[bytes]) -> None:
        with self.ctx.sessionmaker() as session:
            lock_writes(session)
            outputs.record_hot_addresses(session, start, hashes, self.ctx.settings.bech32_hrp)
            session.commit()

    def _hot_hashes(self) -> list[bytes]:
        with self.ctx.sessionmaker() as session:
            return list(outputs.hot_addresses(session))

    async def ensure_hot_addresses(self) -> None:
        """Derive the configured hot addresses through the signer and store the missing ones. The first call
        derives them all again, so a signer with fresh state (another process's in-process signer, a rebuilt
        signing server) records them as its own before it is asked to sign a remainder to one; a signer that
        derives other hashes than the stored ones is refused (wrong mnemonic)."""
        have = await asyncio.to_thread(self._hot_count)
        want = max(1, self.ctx.settings.hot_address_count)
        if not self._hot_checked:
            stored = await asyncio.to_thread(self._hot_hashes)
            if stored:
                again = await self.signer.derive_addresses(self.ctx.settings.hot_account, 0, 0, len(stored))
                if list(again) != stored:
                    raise HubNetworkMismatch(
                        "the signer derives other hot addresses than this hub stored: it holds another seed"
                    )
            self._hot_checked = True
        if have < want:
            hashes = await self.signer.derive_addresses(self.ctx.settings.hot_account, 0, have, want - have)
            await asyncio.to_thread(self._record_hot, have, list(hashes))

    def _missing(self) -> list[tuple[str, int, bytes]]:
        with self.ctx.sessionmaker() as session:
            return outputs.missing_deposit_outputs(session)

    def _store(self, rows: list[tuple[str, Any, int | None, Bip44, bytes, str, bool]]) -> None:
        with self.ctx.sessionmaker() as session:
            lock_writes(session)
            for oid, output, milestone, chain, address_hash, origin, spent in rows:
                outputs.add_output(
                    session,
                    oid,
                    output,
                    chain=chain,
                    address_hash=address_hash,
                    origin=origin,
                    milestone=milestone,
                    state="spent" if spent else "unspent",
                )
            session.commit()

    async def sync_deposits(self) -> int:
        """Record credited deposits not yet in ``hub_outputs``; returns how many were added."""
        missing = await asyncio.to_thread(self._missing)
        if not missing:
            return 0
        gate = asyncio.Semaphore(FETCH_CONCURRENCY)
        s = self.ctx.settings

        async def one(item: tuple[str, int, bytes]) -> tuple[str, Any, int | None, Bip44, bytes, str, bool] | None:
            oid, index, address_hash = item
            async with gate:
                try:
                    response = await self.ctx.node.get_output(oid)
                except NodeError:
                    return None
            meta = response.metadata
            chain = Bip44(s.coin_type, s.deposit_account, 0, index)
            return oid, response.output, meta.milestone_index_booked, chain, address_hash, "deposit", meta.is_spent

        found = [r for r in await asyncio.gather(*(one(m) for m in missing)) if r is not None]
        await asyncio.to_thread(self._store, found)
        return len(found)

    def _hot_rows(self) -> tuple[list[HotAddress], set[str], set[str]]:
        with self.ctx.sessionmaker() as session:
            hot = list(session.scalars(select(HotAddress)))
            known = set(session.scalars(select(HubOutput.output_id).where(HubOutput.origin != "deposit")))
            ours = set(session.scalars(select(Batch.transaction_id).where(Batch.transaction_id.is_not(None))))
            return hot, known, {t for t in ours if t}

    async def sync_funding(self) -> None:
        """Record outputs paid to hot addresses from outside the hub (the operator's top-ups)."""
        hot, known, ours = await asyncio.to_thread(self._hot_rows)
        s = self.ctx.settings
        found: list[tuple[str, Any, int | None, Bip44, bytes, str, bool]] = []
        for row in hot:
            try:
                async for page in self.ctx.node.iter_basic_output_ids(BasicOutputQuery(address=row.bech32)):
                    for oid in page.items:
                        oid_hex = hex_from_bytes(oid)
                        if oid_hex in known or hex_from_bytes(oid[:32]) in ours:
                            continue
                        response = await self.ctx.node.get_output(oid)
                        chain = Bip44(s.coin_type, s.hot_account, 0, row.address_index)
                        found.append(
                            (
                                oid_hex,
                                response.output,
                                response.metadata.milestone_index_booked,
                                chain,
                                row.address_hash,
                                "funding",
                                response.metadata.is_spent,
                            )
                        )
            except NodeError as exc:
                log.warning("batcher: cannot list hot address outputs (%s)", exc.message)
                return
        if found:
            await asyncio.to_thread(self._store, found)

    def _state(self, batch_id: int) -> str | None:
        with self.ctx.sessionmaker() as session:
            return session.scalar(select(Batch.state).where(Batch.id == batch_id))

    async def drive(self, batch_id: int) -> None:
        """Advance one batch as far as it goes now: a new batch is signed and submitted in the same round."""
        for _ in range(3):
            before = await advance(self.cfg, batch_id)
            if before not in ("building", "signed"):
                return
            if await asyncio.to_thread(self._state, batch_id) == before:
                return

    def _in_flight(self) -> list[int]:
        with self.ctx.sessionmaker() as session:
            return list(session.scalars(select(Batch.id).where(Batch.state.in_(IN_FLIGHT)).order_by(Batch.id)))

    def _due(self) -> bool:
        with self.ctx.sessionmaker() as session:
            count, oldest = queue_status(session)
        if count == 0 or oldest is None:
            return False
        waited = time.time() - oldest / 1000
        return count >= self.ctx.settings.batch_max or waited >= self.ctx.settings.batch_wait

    def _build(self, slots: int, in_flight: int) -> list[int]:
        s = self.ctx.settings
        with self.ctx.sessionmaker() as session:
            outcome = build_withdrawal_batches(
                session,
                params=self.params,
                now=int(time.time()),
                coin_type=s.coin_type,
                hrp=s.bech32_hrp,
                batch_max=s.batch_max,
                slots=slots,
                in_flight=in_flight,
            )
        return outcome.batches

    async def round(self) -> None:
        """One round (see the module docstring)."""
        await self.ensure_hot_addresses()
        await self.sync_deposits()
        if time.monotonic() - self._last_funding >= FUNDING_EVERY:
            self._last_funding = time.monotonic()
            await self.sync_funding()
        flying = await asyncio.to_thread(self._in_flight)
        if flying:
            await asyncio.gather(*(self.drive(b) for b in flying))
        flying = await asyncio.to_thread(self._in_flight)
        slots = self.ctx.settings.batches_in_flight - len(flying)
        if slots > 0 and await asyncio.to_thread(self._due):
            built = await asyncio.to_thread(self._build, slots, len(flying))
            if built:
                await asyncio.gather(*(self.drive(b) for b in built))


async def run_batcher(ctx: HubContext, stop_event: asyncio.Event) -> None:
    """Run the batcher until ``stop_event`` is set; idles when the hub has no signer (``ctx.signer``)."""
    signer = ctx.signer
    if signer is None:
        log.info("batcher: no signer configured; withdrawals stay queued")
        await stop_event.wait()
        return
    batcher: Batcher | None = None
    failures = 0
    while not stop_event.is_set():
        try:
            if batcher is None:
                info = await ctx.node.get_info()
                batcher = Batcher(ctx, signer, info.protocol_parameters(), info.min_pow_score)
            await batcher.round()
            failures = 0
            delay = ctx.settings.payout_poll_interval
        except (NodeError, SignerUnavailable) as exc:
            failures += 1
            delay = min(5.0, 0.25 * 2 ** min(failures, 5))
            log.warning("batcher: node or signer unavailable (%s); retrying in %.1f s", exc.message, delay)
        try:
            await asyncio.wait_for(stop_event.wait(), delay)
        except TimeoutError:
            continue
