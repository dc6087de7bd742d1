"""What both indexer-sync paths share: the result of a sync, the meta keys of its cursor and progress, the
store record of an output the node returned, and the ledger index a sync's answers are known to be at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tanglehub.node import OutputResponse
from tanglehub.wallet.operations.outputs import chain_id_of
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

__all__ = [
    "CURSOR_OVERLAP",
    "LedgerFloor",
    "covered_by",
    "SyncResult",
    "indexer_cursor_key",
    "indexer_progress_key",
    "record_from_response",
]

CURSOR_OVERLAP = 60
"""Seconds before the stored cursor that ``createdAfter`` still asks for (answers overlap; nothing is missed)."""


def indexer_cursor_key(account_index: int) -> str:
    """Meta key: JSON ``{"timestamp", "ledgerIndex", "public", "internal"}`` of the account's last completed
    indexer sync: the confirmed milestone's timestamp (unix s) when it began, the ledger index its answers
    were at (:class:`LedgerFloor`; older cursors lack it) and how many addresses of each chain it covered
    (addresses generated later have never been queried and get a full query)."""
    return f"indexer_cursor:{account_index}"


def covered_by(cursor: Mapping[str, int], address: AddressRecord) -> bool:
    """True when the completed sync that stored ``cursor`` (:func:`indexer_cursor_key`) queried ``address``
    (it was generated before that sync: its key index is below the count of its chain)."""
    return address.key_index < int(cursor["internal" if address.internal else "public"])


def indexer_progress_key(account_index: int) -> str:
    """Meta key: JSON ``{"ledgerIndex", "settled", "public", "internal", "global"}`` of an indexer sync of the
    account that did not finish: the ledger index its answers so far were at (``settled`` False: some output
    was left unproven), the key indexes below which each chain's addresses are done, and whether a resume
    must start again from the cursor instead (``global``)."""
    return f"indexer_progress:{account_index}"


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync changed: ids of outputs stored as new and of outputs marked spent."""

    new_output_ids: tuple[bytes, ...] = ()
    spent_output_ids: tuple[bytes, ...] = ()
    milestones_read: int = 0
    ledger_index: int | None = None

    @property
    def changed(self) -> bool:
        """True when the sync stored anything."""
        return bool(self.new_output_ids or self.spent_output_ids)

    def merged(self, other: SyncResult) -> SyncResult:
        """Both results together."""
        return SyncResult(
            self.new_output_ids + other.new_output_ids,
            self.spent_output_ids + other.spent_output_ids,
            self.milestones_read + other.milestones_read,
            other.ledger_index if other.ledger_index is not None else self.ledger_index,
        )


def record_from_response(response: OutputResponse, account_index: int, address_hash: bytes) -> OutputRecord:
    """The store record of an output the node returned, owned through ``address_hash``."""
    meta = response.metadata
    return OutputRecord(
        output_id=meta.output_id,
        account_index=account_index,
        address_hash=address_hash,
        output=response.output,
        block_id=meta.block_id,
        booked_index=meta.milestone_index_booked,
        booked_timestamp=meta.milestone_timestamp_booked,
        chain_id=chain_id_of(response.output, meta.output_id),
    )


class LedgerFloor:
    """The lowest confirmed milestone this sync's answers are known to be at least as recent as: the node's
    confirmed milestone when the sync began, lowered by any indexer page answered at an older ledger index
    (an indexer a little behind the node). The next sync reads the milestones after it.

    ``settled`` turns False when an output the indexer no longer lists could not be proven spent or unspent
    (its metadata not served, or an indexer behind the node): the state is then not known at any ledger
    index, and the next sync must query the addresses again rather than read milestones from here."""

    __slots__ = ("index", "settled")

    def __init__(self, index: int, *, settled: bool = True) -> None:
        self.index = index
        self.settled = settled

    def seen(self, ledger_index: int) -> None:
        """An indexer answer at ``ledger_index``."""
        self.index = min(self.index, ledger_index)
