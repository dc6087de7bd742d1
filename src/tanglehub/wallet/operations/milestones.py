"""What confirmed milestones changed for the wallet: the one reader both sync modes share.

:func:`milestone_changes` turns one milestone's ``utxo-changes`` (created and consumed output ids) plus the
transactions that created its outputs into the wallet's new outputs and the wallet's outputs it consumed.
:func:`read_milestones` reads the changes of a run of milestones (``concurrency`` requests in flight) and
:func:`transactions_of` the distinct transactions they created outputs in, each read once in binary from
its included block.

Ledger-mode sync (:mod:`~tanglehub.wallet.operations.sync_ledger`) follows every milestone with these;
indexer-mode sync (:mod:`~tanglehub.wallet.operations.sync_indexer`) uses them to bring addresses it has
already covered up to date when only a few milestones passed (and to resume an interrupted sync).
Follows the node core API (TIP-25): ``GET /api/core/v2/milestones/by-index/{index}/utxo-changes`` and
``GET /api/core/v2/transactions/{transactionId}/included-block``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from tanglehub.node import MilestoneChanges, MilestoneCursor, NodeBadResponse, NodeNotFound
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.protocol.ids import output_id, split_output_id
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.wallet.operations.history import fetch_transactions
from tanglehub.wallet.operations.outputs import SpentInfo, chain_id_of, owner_hash
from tanglehub.wallet.storage_schema import OutputRecord

if TYPE_CHECKING:
    from tanglehub.wallet.wallet import Wallet

__all__ = ["created_transaction_ids", "milestone_changes", "read_milestones", "transactions_of"]


def created_transaction_ids(changes: Sequence[MilestoneChanges]) -> list[bytes]:
    """The distinct ids of the transactions that created the milestones' outputs, in first-seen order."""
    return list(dict.fromkeys(split_output_id(oid)[0] for ch in changes for oid in ch.created_outputs))


async def read_milestones(
    cursor: MilestoneCursor, indexes: Sequence[int], concurrency: int
) -> list[MilestoneChanges]:
    """The changes of milestones ``indexes`` (all confirmed), in that order, ``concurrency`` reads in flight.

    Raises :class:`~tanglehub.node.MilestonePruned` when the node has pruned one of them, and the node errors
    of :meth:`MilestoneCursor.read`."""
    return await fetch_concurrently(cursor.read, indexes, concurrency)


async def transactions_of(
    wallet: Wallet, tx_ids: Sequence[bytes], concurrency: int
) -> dict[bytes, tuple[bytes, TransactionPayload]]:
    """Transaction id -> (block id, transaction) for every id, each read once (see
    :func:`~tanglehub.wallet.operations.history.fetch_transactions`)."""
    return dict(zip(tx_ids, await fetch_transactions(wallet, tx_ids, concurrency), strict=True))


async def milestone_changes(
    wallet: Wallet,
    changes: MilestoneChanges,
    concurrency: int,
    fetched: Sequence[tuple[bytes, TransactionPayload]] | None = None,
    *,
    account_index: int | None = None,
) -> tuple[list[OutputRecord], list[SpentInfo]]:
    """The milestone's new outputs owned by the wallet and the wallet's outputs it consumed (of one account
    only, with ``account_index``).

    ``fetched`` holds the (block id, transaction) of every transaction that created the milestone's outputs
    (read here when None). Created outputs are matched against the wallet's address hashes (one dictionary
    lookup each). The same transactions name every output the milestone consumed (a transaction always
    creates outputs), so the spending transaction of a consumed output is known without asking; consumed ids
    that are not stored unspent and were not created here are skipped without any request.
    """
    ours = await wallet.address_map()
    by_tx: dict[bytes, list[int]] = {}
    for oid in changes.created_outputs:
        tx_id, index = split_output_id(oid)
        by_tx.setdefault(tx_id, []).append(index)
    consumed = list(changes.consumed_outputs)
    transactions: Sequence[tuple[bytes, TransactionPayload]]
    if fetched is None:
        stored, transactions = await asyncio.gather(
            wallet.store.read(lambda tx: tx.unspent_owners(consumed)),
            fetch_transactions(wallet, list(by_tx), concurrency),
        )
    else:
        stored, transactions = await wallet.store.read(lambda tx: tx.unspent_owners(consumed)), fetched
    records: list[OutputRecord] = []
    spent_by: dict[bytes, bytes] = {}
    for block_id, payload in transactions:
        tx_id = payload.transaction_id()
        outputs = payload.essence.outputs
        for index in by_tx.get(tx_id, ()):
            if index >= len(outputs):
                raise NodeBadResponse(f"transaction 0x{tx_id.hex()} has no output {index} the milestone lists")
            output = outputs[index]
            h = owner_hash(output, ours)
            if h is None or (account_index is not None and ours[h] != account_index):
                continue
            oid = output_id(tx_id, index)
            records.append(
                OutputRecord(
                    output_id=oid,
                    account_index=ours[h],
                    address_hash=h,
                    output=output,
                    block_id=block_id,
                    booked_index=changes.index,
                    booked_timestamp=changes.timestamp,
                    chain_id=chain_id_of(output, oid),
                )
            )
        for utxo in payload.essence.inputs:
            spent_by[utxo.output_id] = tx_id
    created_here = {r.output_id for r in records}
    mine = [
        oid
        for oid in consumed
        if oid in created_here or (oid in stored and (account_index is None or stored[oid] == account_index))
    ]
    unknown = [oid for oid in mine if oid not in spent_by]
    spent = [SpentInfo(oid, spent_by[oid], changes.index, changes.timestamp) for oid in mine if oid in spent_by]
    if unknown:  # a consuming transaction the milestone did not list as creating outputs: ask the node
        spent += await fetch_concurrently(partial(_spent_info, wallet, changes), unknown, concurrency)
    return records, spent


async def _spent_info(wallet: Wallet, changes: MilestoneChanges, oid: bytes) -> SpentInfo:
    try:
        meta = await wallet.node.get_output_metadata(oid)
    except NodeNotFound:
        return SpentInfo(oid, None, changes.index, changes.timestamp)
    return SpentInfo(oid, meta.transaction_id_spent, changes.index, changes.timestamp)
