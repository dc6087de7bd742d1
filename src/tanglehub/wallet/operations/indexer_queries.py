"""Indexer sync address by address: each address's unspent output ids from the indexer, the new ones read
(one ``GET /outputs/{id}`` each, or a transaction's included block when it created several), the vanished
ones checked for a spend, and each chunk of addresses applied in one database transaction with its progress
record. See :mod:`~tanglehub.wallet.operations.sync_indexer` for when this path runs.
Follows the indexer API (TIP-26) ``/api/indexer/v1/outputs?unlockableByAddress=`` and the core API (TIP-25).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Container, Sequence
from functools import partial
from typing import TYPE_CHECKING

from tanglehub.node import NodeBadResponse, NodeNotFound, NodeRejected, OutputQuery, OutputResponse
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.protocol.ids import output_id, split_output_id
from tanglehub.protocol.output import Output
from tanglehub.wallet.operations.history import read_included_transaction
from tanglehub.wallet.operations.ledger_check import PendingCheck
from tanglehub.wallet.operations.outputs import (
    SpentInfo,
    apply_changes,
    chain_id_of,
    ledger_spent_info,
    owner_hash,
)
from tanglehub.wallet.operations.sync_common import (
    CURSOR_OVERLAP,
    LedgerFloor,
    SyncResult,
    covered_by,
    indexer_progress_key,
    record_from_response,
)
from tanglehub.wallet.options import SyncOptions
from tanglehub.wallet.progress import ProgressTracker
from tanglehub.wallet.storage import StoreTx
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

if TYPE_CHECKING:
    from tanglehub.wallet.account import Account

__all__ = ["Owner", "owner_in", "records_of_transaction", "sync_chunk"]

_GROUP_BY_TRANSACTION = 3
"""A transaction that created at least this many new outputs is read whole instead of output by output."""


async def _found_by_address(
    account: Account,
    addresses: Sequence[AddressRecord],
    created_after: dict[bytes, int],
    concurrency: int,
    *,
    floor: LedgerFloor,
    progress: ProgressTracker | None = None,
) -> dict[bytes, bytes]:
    """Output id -> the address hash it was found under, for every address."""
    node = account.wallet.node

    async def query(address: AddressRecord) -> list[bytes]:
        after = created_after.get(address.hash)
        # the wallet derived these addresses itself: no need to check their bech32 checksum per request
        query = OutputQuery.trusted(unlockable_by_address=address.bech32, created_after=after)
        ids, ledger_index = await node.all_output_ids_at(query)
        floor.seen(ledger_index)
        if progress is not None:
            progress.advance()
        return ids

    pages = await fetch_concurrently(query, addresses, concurrency)
    found: dict[bytes, bytes] = {}
    for address, ids in zip(addresses, pages, strict=True):
        for oid in ids:
            found.setdefault(oid, address.hash)
    return found


async def _spent_infos(
    account: Account, vanished: Sequence[bytes], concurrency: int, pruning_index: int
) -> list[SpentInfo]:
    """Where the ``vanished`` outputs were spent, for those the node shows spent (or pruned: booked at or
    below its ``pruning_index``, when it has pruned anything)."""
    if not vanished:
        return []
    wallet = account.wallet
    booked = await wallet.store.read(lambda tx: {o: r.booked_index for o, r in tx.outputs_by_id(vanished).items()})

    async def one(oid: bytes) -> SpentInfo | None:
        pruned = pruning_index > 0 and booked.get(oid, pruning_index + 1) <= pruning_index
        return await ledger_spent_info(wallet.node, oid, pruned=pruned)

    results = await fetch_concurrently(one, vanished, concurrency)
    return [r for r in results if r is not None]


Owner = Callable[[Output], bytes | None]
"""The account's address hash an output is stored under (None: not the account's to spend)."""


async def owner_in(account: Account, among: Container[bytes] | None = None) -> Owner:
    """:data:`Owner` for the account: the first of an output's unlocking hashes among all the wallet's
    addresses (the owner ledger mode stores it under), provided that address is the account's (and one of
    ``among``, when given). An output listed for one of our addresses only as the return address of its
    storage deposit is someone else's; an output to another account whose expiration returns to us is that
    account's."""
    ours = await account.wallet.address_map()
    index = account.index

    def owner(output: Output) -> bytes | None:
        h = owner_hash(output, ours)
        if h is None or ours[h] != index or (among is not None and h not in among):
            return None
        return h

    return owner


def _owned_records(account: Account, responses: Sequence[OutputResponse], owner: Owner) -> list[OutputRecord]:
    """Records of the unspent ``responses`` the account can unlock."""
    return [
        record_from_response(r, account.index, h)
        for r in responses
        if not r.metadata.is_spent and (h := owner(r.output)) is not None
    ]


async def records_of_transaction(
    account: Account, tx_id: bytes, indexes: Sequence[int], owner: Owner
) -> list[OutputRecord]:
    """Records of the outputs ``indexes`` of transaction ``tx_id`` that ``owner`` gives the account: its
    included block, plus one output's metadata (where it was booked) when any is the account's; one request
    per output instead when the node has no such block (outputs of the genesis snapshot) or refuses the
    route. Raises :class:`~tanglehub.node.NodeBadResponse` for an index the transaction does not have."""
    node = account.wallet.node
    try:
        _, payload = await read_included_transaction(node, tx_id)
    except (NodeNotFound, NodeRejected):
        return _owned_records(account, await node.get_outputs([output_id(tx_id, i) for i in indexes]), owner)
    outputs = payload.essence.outputs
    if any(index >= len(outputs) for index in indexes):
        raise NodeBadResponse(f"transaction 0x{tx_id.hex()} has fewer outputs than the node listed")
    owned = [(i, h) for i in indexes if (h := owner(outputs[i])) is not None]
    if not owned:
        return []
    meta = await node.get_output_metadata(output_id(tx_id, owned[0][0]))
    return [
        OutputRecord(
            output_id=output_id(tx_id, i),
            account_index=account.index,
            address_hash=h,
            output=outputs[i],
            block_id=meta.block_id,
            booked_index=meta.milestone_index_booked,
            booked_timestamp=meta.milestone_timestamp_booked,
            chain_id=chain_id_of(outputs[i], output_id(tx_id, i)),
        )
        for i, h in owned
    ]


async def _new_records(account: Account, new_ids: Sequence[bytes], concurrency: int) -> list[OutputRecord]:
    """Records of the outputs ``new_ids`` the account can unlock (grouped by transaction where that saves
    requests). The indexer lists an output for an address that is only its storage deposit return address
    too: such an output is not stored (it is not ours to spend; the deposit comes back as an output of its
    own when its owner spends it), as ledger mode does not store it."""
    by_tx: dict[bytes, list[int]] = {}
    for oid in new_ids:
        tx_id, index = split_output_id(oid)
        by_tx.setdefault(tx_id, []).append(index)
    grouped = [(tx, ix) for tx, ix in by_tx.items() if len(ix) >= _GROUP_BY_TRANSACTION]
    single = [output_id(tx, i) for tx, ix in by_tx.items() if len(ix) < _GROUP_BY_TRANSACTION for i in ix]
    node = account.wallet.node
    owner = await owner_in(account)
    responses, whole = await asyncio.gather(
        node.get_outputs(single, concurrency=concurrency),
        fetch_concurrently(
            lambda item: records_of_transaction(account, item[0], item[1], owner), grouped, concurrency
        ),
    )
    records = _owned_records(account, responses, owner)
    for part in whole:
        records.extend(part)
    return records


def _apply_chunk(
    tx: StoreTx,
    *,
    account_index: int,
    records: list[OutputRecord],
    spent: list[SpentInfo],
    bech32_of: dict[bytes, str],
    progress: str | None,
) -> tuple[list[bytes], list[bytes]]:
    result = apply_changes(tx, records, spent, bech32_of)
    if progress is not None:
        tx.set_meta(indexer_progress_key(account_index), progress)
    return result


async def sync_chunk(
    account: Account,
    chunk: Sequence[AddressRecord],
    *,
    held: dict[bytes, list[bytes]],
    cursor: dict[str, int] | None,
    opts: SyncOptions,
    progress: dict[str, object] | None,
    pruning_index: int,
    check: PendingCheck,
    floor: LedgerFloor,
    shown: ProgressTracker | None = None,
) -> SyncResult:
    """Query, fetch and apply one chunk of addresses (with the progress record, when given); ``shown`` counts
    the addresses queried for a progress listener. Nothing is stored before ``check`` (the ledger check) has
    passed."""
    wallet = account.wallet
    created_after: dict[bytes, int] = {}
    if cursor is not None:
        since = int(cursor["timestamp"]) - CURSOR_OVERLAP
        created_after = {a.hash: since for a in chunk if a.hash not in held and covered_by(cursor, a)}
    found = await _found_by_address(account, chunk, created_after, opts.concurrency, floor=floor, progress=shown)
    known = await wallet.store.read(lambda tx: tx.known_output_ids(list(found)))
    new_ids = [oid for oid in found if oid not in known]
    vanished = [oid for a in chunk for oid in held.get(a.hash, ()) if oid not in found]
    records, spent = await asyncio.gather(
        _new_records(account, new_ids, opts.concurrency),
        _spent_infos(account, vanished, opts.concurrency, pruning_index),
    )
    if len(spent) < len(vanished):  # kept unspent without proof either way: ask again next time
        floor.settled = False
    # the done addresses are at least as recent as the floor so far (an indexer behind the node lowers it)
    record = (
        None
        if progress is None
        else json.dumps({**progress, "ledgerIndex": floor.index, "settled": floor.settled})
    )
    if not records and not spent and record is None:
        return SyncResult()
    await check.verified()
    bech32_of = {a.hash: a.bech32 for a in chunk}
    inserted, newly_spent = await wallet.store.write(
        partial(
            _apply_chunk,
            account_index=account.index,
            records=records,
            spent=spent,
            bech32_of=bech32_of,
            progress=record,
        )
    )
    return SyncResult(tuple(inserted), tuple(newly_spent))
