"""Indexer-mode sync: ask the indexer which outputs each address can unlock, apply only the differences.

For every address of the account (at most ``concurrency`` queries in flight) the indexer's
``/outputs?unlockableByAddress=`` pages are followed. Output ids not stored yet are fetched (only those);
stored unspent outputs the indexer no longer lists are checked with one metadata request each and marked
spent when the node says so. Everything found is applied in one database transaction with its events
(:func:`~tanglehub.wallet.operations.outputs.apply_changes`), so a rerun changes nothing and a crash
mid-sync leaves the store as it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from tanglehub.node import OutputQuery, OutputResponse
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.wallet.operations.outputs import SpentInfo, apply_changes, chain_id_of, ledger_spent_info
from tanglehub.wallet.options import SyncOptions
from tanglehub.wallet.progress import ProgressStage, tracker
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

if TYPE_CHECKING:
    from tanglehub.wallet.account import Account

__all__ = ["SyncResult", "record_from_response", "sync_account_indexer"]


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


async def _found_by_address(
    account: Account, addresses: Sequence[AddressRecord], concurrency: int
) -> dict[bytes, bytes]:
    """Output id -> the address hash it was found under, for every address."""
    node = account.wallet.node
    progress = tracker(ProgressStage.INDEXER_SYNC, len(addresses), account.alias)

    async def query(address: AddressRecord) -> list[bytes]:
        ids = await node.all_output_ids(OutputQuery(unlockable_by_address=address.bech32))
        if progress is not None:
            progress.advance()
        return ids

    pages = await fetch_concurrently(query, addresses, concurrency)
    found: dict[bytes, bytes] = {}
    for address, ids in zip(addresses, pages, strict=True):
        for oid in ids:
            found.setdefault(oid, address.hash)
    return found


async def _spent_infos(account: Account, vanished: Sequence[bytes], concurrency: int) -> list[SpentInfo]:
    node = account.wallet.node
    results = await fetch_concurrently(partial(ledger_spent_info, node), vanished, concurrency)
    return [r for r in results if r is not None]


async def sync_account_indexer(account: Account, options: SyncOptions | None = None) -> SyncResult:
    """Bring the account's stored outputs in line with the indexer (see the module docstring)."""
    opts = options or SyncOptions()
    wallet = account.wallet
    index = account.index
    addresses = await wallet.store.read(lambda tx: tx.addresses(index, None if opts.internal else False))
    if not addresses:
        return SyncResult()
    found = await _found_by_address(account, addresses, opts.concurrency)
    known, unspent = await wallet.store.read(
        lambda tx: (
            tx.known_output_ids(list(found)),
            tx.unspent_output_ids(index) | {r.output_id for r in tx.shared_unspent(index)},
        )
    )
    new_ids = [oid for oid in found if oid not in known]
    vanished = [oid for oid in unspent if oid not in found]
    responses, spent = await asyncio.gather(
        wallet.node.get_outputs(new_ids, concurrency=opts.concurrency),
        _spent_infos(account, vanished, opts.concurrency),
    )
    records = [record_from_response(r, index, found[r.output_id]) for r in responses if not r.metadata.is_spent]
    if not records and not spent:
        return SyncResult()
    bech32_of = {a.hash: a.bech32 for a in addresses}
    inserted, newly_spent = await wallet.store.write(lambda tx: apply_changes(tx, records, spent, bech32_of))
    return SyncResult(tuple(inserted), tuple(newly_spent))
