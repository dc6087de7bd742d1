"""The devnet's UTXO ledger: every output ever booked, spent records and per-milestone created/consumed lists.

The ledger changes only when a milestone is applied (:meth:`Ledger.apply`); between milestones it is the
confirmed state the API serves. Ids are raw bytes (34-byte output ids, 32-byte transaction and block ids).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tanglehub.protocol.output import Output

__all__ = ["Ledger", "MilestoneDiff", "OutputRecord", "SpentInfo"]


@dataclass(frozen=True, slots=True)
class SpentInfo:
    """When and by which transaction an output was spent."""

    milestone_index: int
    milestone_timestamp: int
    transaction_id: bytes


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """One booked output with its metadata (``spent`` is None while unspent)."""

    oid: bytes
    output: Output
    block_id: bytes
    milestone_index: int
    milestone_timestamp: int
    spent: SpentInfo | None = None

    @property
    def transaction_id(self) -> bytes:
        """The id of the transaction that created this output."""
        return self.oid[:32]

    @property
    def output_index(self) -> int:
        """The index of this output in its transaction."""
        return int.from_bytes(self.oid[32:34], "little")

    def metadata_json(self, ledger_index: int) -> dict[str, object]:
        """The output metadata in the node API's shape."""
        body: dict[str, object] = {
            "blockId": "0x" + self.block_id.hex(),
            "transactionId": "0x" + self.transaction_id.hex(),
            "outputIndex": self.output_index,
            "isSpent": self.spent is not None,
        }
        if self.spent is not None:
            body["milestoneIndexSpent"] = self.spent.milestone_index
            body["milestoneTimestampSpent"] = self.spent.milestone_timestamp
            body["transactionIdSpent"] = "0x" + self.spent.transaction_id.hex()
        body["milestoneIndexBooked"] = self.milestone_index
        body["milestoneTimestampBooked"] = self.milestone_timestamp
        body["ledgerIndex"] = ledger_index
        return body


@dataclass(frozen=True, slots=True)
class MilestoneDiff:
    """The outputs one milestone created and consumed, in white-flag order."""

    index: int
    created: tuple[bytes, ...]
    consumed: tuple[bytes, ...]

    def to_json(self) -> dict[str, object]:
        """The ``utxo-changes`` answer of the node API."""
        return {
            "index": self.index,
            "createdOutputs": ["0x" + o.hex() for o in self.created],
            "consumedOutputs": ["0x" + o.hex() for o in self.consumed],
        }


class Ledger:
    """The confirmed UTXO state of the devnet."""

    def __init__(self) -> None:
        self.outputs: dict[bytes, OutputRecord] = {}
        self.diffs: dict[int, MilestoneDiff] = {}
        self.included: dict[bytes, bytes] = {}
        """transaction id -> id of the block whose copy of the transaction was applied."""
        self.ledger_index = 0

    def get(self, oid: bytes) -> OutputRecord | None:
        """The record of a booked output (spent or not), or None."""
        return self.outputs.get(oid)

    def apply(
        self,
        index: int,
        timestamp: int,
        created: Sequence[OutputRecord],
        consumed: Iterable[tuple[bytes, bytes]],
        included: Iterable[tuple[bytes, bytes]] = (),
    ) -> tuple[MilestoneDiff, list[OutputRecord]]:
        """Book a milestone: add ``created``, mark ``consumed`` (output id, spending tx id) as spent.

        Returns the milestone's diff and the spent records as they are now (for the store).
        """
        spent_records: list[OutputRecord] = []
        for rec in created:
            self.outputs[rec.oid] = rec
        consumed_ids: list[bytes] = []
        for oid, tx_id in consumed:
            old = self.outputs[oid]
            new = dataclasses.replace(old, spent=SpentInfo(index, timestamp, tx_id))
            self.outputs[oid] = new
            spent_records.append(new)
            consumed_ids.append(oid)
        for tx_id, block_id in included:
            self.included[tx_id] = block_id
        diff = MilestoneDiff(index, tuple(r.oid for r in created), tuple(consumed_ids))
        self.diffs[index] = diff
        self.ledger_index = index
        return diff, spent_records

    def restore(
        self,
        records: Iterable[OutputRecord],
        diffs: Iterable[MilestoneDiff],
        included: Iterable[tuple[bytes, bytes]],
        ledger_index: int,
    ) -> None:
        """Load a persisted state (used by the store on start)."""
        for rec in records:
            self.outputs[rec.oid] = rec
        for diff in diffs:
            self.diffs[diff.index] = diff
        self.included.update(included)
        self.ledger_index = ledger_index

    def unspent(self) -> Iterable[OutputRecord]:
        """Every unspent output record."""
        return (r for r in self.outputs.values() if r.spent is None)

    def total_unspent(self) -> int:
        """Sum of all unspent amounts (equals the token supply when the ledger is sound)."""
        return sum(r.output.amount for r in self.unspent())
