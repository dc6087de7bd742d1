"""The devnet's tangle: blocks, their metadata, solidity, the tip pool and white-flag traversal.

The all-zero block id is the genesis solid entry point: a parent that is always known, solid and referenced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tanglehub.protocol.block import Block

__all__ = ["GENESIS_BLOCK_ID", "INCLUDED", "CONFLICTING", "NO_TRANSACTION", "BlockRecord", "Tangle"]

GENESIS_BLOCK_ID = bytes(32)
NO_TRANSACTION = 0
INCLUDED = 1
CONFLICTING = 2
_STATE_NAMES = {NO_TRANSACTION: "noTransaction", INCLUDED: "included", CONFLICTING: "conflicting"}


@dataclass(slots=True)
class BlockRecord:
    """A stored block and its mutable metadata."""

    block_id: bytes
    data: bytes
    block: Block
    attached_index: int
    held: bool = False
    solid: bool = False
    referenced_by: int | None = None
    white_flag_index: int | None = None
    inclusion_state: int = NO_TRANSACTION
    conflict_reason: int = 0
    milestone_index: int | None = None
    children: list[bytes] = field(default_factory=list)

    @property
    def parents(self) -> tuple[bytes, ...]:
        """The parent block ids, in stored order."""
        return tuple(self.block.parents)

    def metadata_json(self, latest_index: int, below_max_depth: int) -> dict[str, object]:
        """The block metadata in the node API's shape (TIP-25 / Hornet).

        A milestone block reports ``milestoneIndex`` from the moment the node stores the milestone (the block
        is then a valid milestone block), like Hornet. ``referencedByMilestoneIndex``, ``ledgerInclusionState``
        (``noTransaction``) and ``whiteFlagIndex`` come, as for every block, once a milestone references it:
        for a milestone's own block that is the next milestone (TIP-2: a milestone's white-flag cone holds the
        previous milestone's block, never its own); until then it reports ``shouldPromote`` and
        ``shouldReattach`` (both false while it is the newest milestone).
        """
        body: dict[str, object] = {
            "blockId": "0x" + self.block_id.hex(),
            "parents": ["0x" + p.hex() for p in self.parents],
            "isSolid": self.solid,
        }
        if self.milestone_index is not None:
            body["milestoneIndex"] = self.milestone_index
        if self.referenced_by is not None:
            body["referencedByMilestoneIndex"] = self.referenced_by
            body["ledgerInclusionState"] = _STATE_NAMES[self.inclusion_state]
            if self.inclusion_state == CONFLICTING:
                body["conflictReason"] = self.conflict_reason
            if self.white_flag_index is not None:
                body["whiteFlagIndex"] = self.white_flag_index
        elif self.solid:
            age = latest_index - self.attached_index
            reattach = self.held or age > below_max_depth
            body["shouldPromote"] = not reattach and age >= 2
            body["shouldReattach"] = reattach
        return body


class Tangle:
    """Blocks by id, solidity tracking and the tip pool."""

    def __init__(self) -> None:
        self.blocks: dict[bytes, BlockRecord] = {}
        self.tips: dict[bytes, None] = {}
        self._waiting: dict[bytes, list[bytes]] = {}
        """missing parent id -> ids of blocks waiting for it to become solid."""

    def __contains__(self, block_id: object) -> bool:
        return block_id in self.blocks

    def get(self, block_id: bytes) -> BlockRecord | None:
        """A stored block, or None."""
        return self.blocks.get(block_id)

    def _parent_solid(self, parent: bytes) -> bool:
        if parent == GENESIS_BLOCK_ID:
            return True
        rec = self.blocks.get(parent)
        return rec is not None and rec.solid

    def attach(self, rec: BlockRecord) -> None:
        """Store a new block, update the tip pool and solidify it (and any waiting children)."""
        self.blocks[rec.block_id] = rec
        for parent in rec.parents:
            if not rec.held:  # a held block must not take its parents out of the tip pool
                self.tips.pop(parent, None)
            prec = self.blocks.get(parent)
            if prec is not None:
                prec.children.append(rec.block_id)
        if not rec.held:
            self.tips[rec.block_id] = None
        self._solidify(rec)

    def _solidify(self, rec: BlockRecord) -> None:
        stack = [rec]
        while stack:
            cur = stack.pop()
            if cur.solid:
                continue
            missing = [p for p in cur.parents if not self._parent_solid(p)]
            if missing:
                self._waiting.setdefault(missing[0], []).append(cur.block_id)
                continue
            cur.solid = True
            for child_id in self._waiting.pop(cur.block_id, []):
                child = self.blocks.get(child_id)
                if child is not None:
                    stack.append(child)

    def restore(self, records: Iterable[BlockRecord]) -> None:
        """Load persisted blocks (in attach order) and rebuild tips and solidity."""
        for rec in records:
            rec.solid = False
            rec.children = []
            self.attach(rec)
            if rec.referenced_by is not None:
                self.tips.pop(rec.block_id, None)
        for rec in self.blocks.values():
            if rec.referenced_by is None and not rec.held and not rec.children:
                self.tips[rec.block_id] = None

    def select_tips(self, count: int) -> list[bytes]:
        """Up to ``count`` of the newest solid tips, sorted (the genesis id when there are none)."""
        chosen: list[bytes] = []
        for block_id in reversed(self.tips):
            if self.blocks[block_id].solid:
                chosen.append(block_id)
                if len(chosen) == count:
                    break
        return sorted(chosen) or [GENESIS_BLOCK_ID]

    def white_flag_order(self, parents: Iterable[bytes]) -> list[BlockRecord]:
        """Post-order DFS over the unreferenced past cone of ``parents`` (TIP-2), skipping held blocks."""
        order: list[BlockRecord] = []
        seen: set[bytes] = set()
        for root in parents:
            stack: list[tuple[bytes, bool]] = [(root, False)]
            while stack:
                block_id, expanded = stack.pop()
                if expanded:
                    order.append(self.blocks[block_id])
                    continue
                if block_id in seen:
                    continue
                rec = self.blocks.get(block_id)
                if rec is None or rec.referenced_by is not None or not rec.solid or rec.held:
                    continue
                seen.add(block_id)
                stack.append((block_id, True))
                stack.extend((p, False) for p in reversed(rec.parents))
        return order

    def remove_tips(self, block_ids: Iterable[bytes]) -> None:
        """Take referenced blocks out of the tip pool."""
        for block_id in block_ids:
            self.tips.pop(block_id, None)
