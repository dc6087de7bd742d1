"""``MilestoneCursor``: walk confirmed milestones one by one, reading each one's created/consumed outputs.

This is ledger-level scanning: the cost of catching up depends on the number of milestones and new
outputs, not on how many addresses a hub watches. The cursor only moves forward; persist
``changes.index + 1`` (or :attr:`MilestoneCursor.next_index`) together with whatever you did with the
changes, and resume later with ``MilestoneCursor(node, persisted_index)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from tanglehub.node.args import milestone_index
from tanglehub.node.errors import MilestonePruned, NodeArgumentError, NodeBadResponse, NodeNotFound
from tanglehub.node.models import MilestoneInfo, NodeInfo, UtxoChanges

__all__ = ["MilestoneChanges", "MilestoneCursor", "MilestoneSource"]


class MilestoneSource(Protocol):
    """What the cursor needs from a node: a :class:`NodeClient` or a :class:`NodePool`."""

    async def get_info(self) -> NodeInfo:
        """The node's status (confirmed milestone, pruning index)."""
        ...

    async def get_utxo_changes_by_index(self, index: int) -> UtxoChanges:
        """Outputs created and consumed by milestone ``index``."""
        ...

    async def get_milestone_info_by_index(self, index: int) -> MilestoneInfo:
        """Index and timestamp of milestone ``index``."""
        ...


@dataclass(frozen=True, slots=True)
class MilestoneChanges:
    """One confirmed milestone's ledger changes."""

    index: int
    timestamp: int
    created_outputs: tuple[bytes, ...]
    consumed_outputs: tuple[bytes, ...]


class MilestoneCursor:
    """Yields :class:`MilestoneChanges` for every confirmed milestone from ``start_index`` on.

    ``async for changes in cursor`` runs forever, polling every ``poll_interval`` seconds once it has
    caught up with the node's confirmed milestone; :meth:`available` stops there instead.
    """

    def __init__(
        self,
        source: MilestoneSource,
        start_index: int,
        *,
        poll_interval: float = 1.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if poll_interval <= 0:
            raise NodeArgumentError("poll_interval must be a positive number of seconds")
        self._source = source
        self._next = milestone_index(start_index)
        self._confirmed: int | None = None
        self._confirmed_at: int | None = None
        self._poll_interval = poll_interval
        self._sleep = sleep

    @property
    def next_index(self) -> int:
        """The index of the next milestone this cursor will read (persist this to resume)."""
        return self._next

    @property
    def confirmed_index(self) -> int | None:
        """The node's confirmed milestone index as last seen (None before the first refresh)."""
        return self._confirmed

    async def refresh(self, info: NodeInfo | None = None) -> int:
        """Ask the node for its confirmed milestone index (or take it from ``info``, the node's info the
        caller has just read); refuse to go on if history was pruned."""
        if info is None:
            info = await self._source.get_info()
        self._confirmed = info.status.confirmed_milestone.index
        self._confirmed_at = info.status.confirmed_milestone.timestamp
        pruning = info.status.pruning_index
        if self._next <= pruning:
            raise MilestonePruned(
                f"milestone {self._next} is pruned on this node (pruning index {pruning}); "
                "resume from a node that keeps that history or rescan outputs instead"
            )
        return self._confirmed

    async def read(self, index: int) -> MilestoneChanges:
        """The changes of milestone ``index`` (which must be confirmed); does not move the cursor."""
        i = milestone_index(index)
        try:
            if i == self._confirmed and self._confirmed_at is not None:
                # the node's info already named this milestone's timestamp: one request instead of two
                changes = await self._source.get_utxo_changes_by_index(i)
                timestamp: int | None = self._confirmed_at
            else:
                changes, info = await asyncio.gather(
                    self._source.get_utxo_changes_by_index(i), self._source.get_milestone_info_by_index(i)
                )
                timestamp = info.timestamp
        except NodeNotFound:
            await self._check_pruned(i)
            raise
        if timestamp is None:
            raise NodeBadResponse(f"node sent milestone {i} without a timestamp")
        return MilestoneChanges(i, timestamp, changes.created_outputs, changes.consumed_outputs)

    async def _check_pruned(self, index: int) -> None:
        """Turn a 404 for ``index`` into :class:`MilestonePruned` when the node has pruned it."""
        info = await self._source.get_info()
        if index <= info.status.pruning_index:
            raise MilestonePruned(
                f"milestone {index} is pruned on this node (pruning index {info.status.pruning_index})"
            )

    async def next(self) -> MilestoneChanges:
        """Wait until milestone :attr:`next_index` is confirmed, read it and advance."""
        while self._confirmed is None or self._next > self._confirmed:
            if await self.refresh() >= self._next:
                break
            await self._sleep(self._poll_interval)
        changes = await self.read(self._next)
        self._next += 1
        return changes

    async def available(self) -> AsyncIterator[MilestoneChanges]:
        """Every milestone from :attr:`next_index` up to the node's confirmed index now; no waiting."""
        confirmed = await self.refresh()
        while self._next <= confirmed:
            changes = await self.read(self._next)
            self._next += 1
            yield changes

    async def __aiter__(self) -> AsyncIterator[MilestoneChanges]:
        while True:
            yield await self.next()
