"""Indexer-mode sync: ask the indexer which outputs each address can unlock, apply only the differences.

For every address of the account (at most ``concurrency`` queries in flight) the indexer's
``/outputs?unlockableByAddress=`` pages are followed; an address with no stored unspent output asks only for
outputs created since the last completed sync (``createdAfter``, from the stored cursor: the confirmed
milestone's timestamp when that sync began, less :data:`CURSOR_OVERLAP` seconds, so milestones sharing a
second and an indexer a little behind the confirmed milestone lose nothing). Output ids not stored yet are
fetched (only those): one ``GET /outputs/{id}`` each, or, for a transaction that created three or more of
them, its included block (binary) plus one output's metadata, which all its outputs share. Stored unspent
outputs the indexer no longer lists for their address are checked with one metadata request each and
marked spent only when the node says they are spent (an output the node does not know stays unspent, unless
it was booked at or below the node's pruning index): an indexer that lacks outputs proves nothing.

Before anything is stored the node's ledger is checked against the wallet's
(:func:`~tanglehub.wallet.operations.ledger_check.begin_ledger_check`: refused when it is behind or another
ledger; the milestone read it may need runs alongside the first address queries), and outputs that older
versions marked spent without proof are re-checked (:mod:`~tanglehub.wallet.operations.spent_recheck`).

After a completed sync, the addresses it covered are first brought up to date from the milestones confirmed
since (their ``utxo-changes``; each transaction that created outputs in them read once, in binary, from its
included block; a consumed output of the account is spent by one of those transactions), as ledger-mode sync
does: the cursor keeps the ledger index that sync's answers were at (the node's confirmed milestone when it
began, or the lowest ``ledgerIndex`` an indexer page was answered at, if lower: an indexer a little behind the
node). This is done only when it costs fewer requests than the queries: at most one milestone per two covered
addresses (and at most :data:`MAX_CATCH_UP_MILESTONES`) and no more transactions than covered addresses; with no
new milestone it asks nothing at all. A node that has pruned those milestones or does not serve them (404 or a
refused route) gets the queries instead, and so does the sync after one that left an output unproven (no longer
listed, its spend not shown by the node): that sync records no ledger index. Addresses generated since the last
sync are always queried in full. Measured with ``bench/sync.py``: 100 deposits to 1,000 covered addresses cost
about 103 requests instead of about 1,100.

Otherwise, when at least :data:`GLOBAL_SCAN_MIN_ADDRESSES` covered addresses hold nothing (on a first sync:
addresses that hold nothing), one ledger-wide listing of the unspent outputs created since the cursor (on a
first sync: since genesis; ``/outputs?createdAfter=``, paged) replaces their queries, provided it holds fewer
outputs than there are such addresses (on a large ledger the listing stops after about one page per 1,000
addresses and the addresses are queried): each new transaction's block is read once and matched against those
addresses (plus one output's metadata per paying transaction). Only the addresses holding outputs, and those
generated since the last sync, are then queried one by one.

The address-by-address path lives in :mod:`~tanglehub.wallet.operations.indexer_queries`; what both share
(the result, the cursor and progress keys, the ledger floor) in :mod:`~tanglehub.wallet.operations.sync_common`.
Addresses are handled in chunks of :data:`CHUNK_ADDRESSES`; each chunk is applied in one database transaction
with its events (:func:`~tanglehub.wallet.operations.outputs.apply_changes`) and the progress
(``indexer_progress:<account>``: the ledger index the answers so far were at, and up to which key index each
chain's addresses are done). A sync that fails midway (node gone, process stopped) keeps what it stored; the
next sync resumes: it brings the done addresses up to date by reading the milestones confirmed since (ledger
changes, few requests) and queries only the addresses not done yet (a sync that had brought the covered
addresses up to date from milestones or a ledger-wide listing starts again from its cursor instead). A rerun
changes nothing that is already stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from tanglehub.node import (
    MilestoneCursor,
    MilestonePruned,
    NodeNotFound,
    NodeRejected,
    OutputQuery,
)
from tanglehub.node.models import NodeInfo
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.protocol.ids import split_output_id
from tanglehub.wallet.operations.indexer_queries import owner_in, records_of_transaction, sync_chunk
from tanglehub.wallet.operations.ledger_check import PendingCheck, record_anchor, run_ledger_checked
from tanglehub.wallet.operations.milestones import (
    created_transaction_ids,
    milestone_changes,
    read_milestones,
    transactions_of,
)
from tanglehub.wallet.operations.outputs import (
    SpentInfo,
    apply_changes,
)
from tanglehub.wallet.operations.spent_recheck import recheck_unproven_spent
from tanglehub.wallet.operations.sync_common import (
    CURSOR_OVERLAP,
    LedgerFloor,
    SyncResult,
    covered_by,
    indexer_cursor_key,
    indexer_progress_key,
    record_from_response,
)
from tanglehub.wallet.options import SyncOptions
from tanglehub.wallet.progress import ProgressStage, tracker
from tanglehub.wallet.storage import StoreTx
from tanglehub.wallet.storage_schema import AddressRecord, OutputRecord

if TYPE_CHECKING:
    from tanglehub.wallet.account import Account

__all__ = [
    "CATCH_UP_BATCH",
    "CHUNK_ADDRESSES",
    "CURSOR_OVERLAP",
    "GLOBAL_SCAN_MIN_ADDRESSES",
    "MAX_CATCH_UP_MILESTONES",
    "SyncResult",
    "indexer_cursor_key",
    "indexer_progress_key",
    "record_from_response",
    "sync_account_indexer",
]

CHUNK_ADDRESSES = 500
"""Addresses whose changes are applied (and whose progress is stored) together."""
MAX_CATCH_UP_MILESTONES = 1_000
"""At most this many milestones are read to bring covered addresses up to date; more: they are queried."""
CATCH_UP_BATCH = 64
"""Milestones whose changes (and transactions) are read together when catching up."""
GLOBAL_SCAN_MIN_ADDRESSES = 64
"""From this many covered addresses holding nothing, one ledger-wide ``createdAfter`` listing is tried first."""


async def _created_since(
    account: Account, since: int, empty: Sequence[AddressRecord], concurrency: int, floor: LedgerFloor
) -> list[OutputRecord] | None:
    """New outputs of the ``empty`` addresses read from one ledger-wide ``createdAfter`` listing: each new
    transaction's block once, plus one output's metadata per transaction that pays them. None (nothing
    done) when more outputs were created than there are such addresses: querying those is cheaper then."""
    wallet = account.wallet
    ids: list[bytes] = []
    async for page in wallet.node.iter_output_ids(OutputQuery(created_after=since)):
        ids.extend(page.items)
        floor.seen(page.ledger_index)
        if len(ids) > len(empty):
            return None
    known = await wallet.store.read(lambda tx: tx.known_output_ids(ids))
    by_tx: dict[bytes, list[int]] = {}
    for oid in ids:
        if oid not in known:
            tx_id, index = split_output_id(oid)
            by_tx.setdefault(tx_id, []).append(index)
    # an output is the account's under its first unlocker among all the wallet's addresses (as in ledger mode);
    # one whose owner is an address queried on its own, or another account's, is not taken here
    owner = await owner_in(account, among={a.hash for a in empty})
    parts = await fetch_concurrently(
        lambda tx_id: records_of_transaction(account, tx_id, by_tx[tx_id], owner), list(by_tx), concurrency
    )
    return [r for part in parts for r in part]


def _apply_found(
    tx: StoreTx, *, records: list[OutputRecord], spent: list[SpentInfo]
) -> tuple[list[bytes], list[bytes]]:
    """:func:`apply_changes` with the owners' bech32 texts read from the store."""
    return apply_changes(tx, records, spent, tx.address_texts({r.address_hash for r in records}))


async def _milestones_since(
    account: Account, since: int, info: NodeInfo, opts: SyncOptions, *, tx_budget: int | None = None
) -> SyncResult | None:
    """Apply to the account the ledger changes of the milestones after ``since`` up to the node's confirmed
    one (``info``), in order, :data:`CATCH_UP_BATCH` milestones at a time: their ``utxo-changes``, then each
    transaction that created outputs in them read once. None when the node has pruned or does not serve that
    history, or (with ``tx_budget``) once more than ``tx_budget`` transactions created outputs in them:
    querying the addresses is cheaper then. What was applied before that stays (applying a milestone twice
    changes nothing)."""
    wallet = account.wallet
    confirmed = info.status.confirmed_milestone.index
    cursor = MilestoneCursor(wallet.node, since + 1)
    result = SyncResult()
    transactions = 0
    try:
        await cursor.refresh(info)  # refuses a start the node has pruned
        for first in range(since + 1, confirmed + 1, CATCH_UP_BATCH):
            batch = range(first, min(first + CATCH_UP_BATCH, confirmed + 1))
            changes = await read_milestones(cursor, batch, opts.concurrency)
            tx_ids = created_transaction_ids(changes)
            transactions += len(tx_ids)
            if tx_budget is not None and transactions > tx_budget:
                return None
            fetched = await transactions_of(wallet, tx_ids, opts.concurrency)
            for one in changes:
                created = [fetched[t] for t in created_transaction_ids([one])]
                records, spent = await milestone_changes(
                    wallet, one, opts.concurrency, created, account_index=account.index
                )
                if not records and not spent:
                    continue
                inserted, newly_spent = await wallet.store.write(
                    partial(_apply_found, records=records, spent=spent)
                )
                result = result.merged(SyncResult(tuple(inserted), tuple(newly_spent)))
    except (MilestonePruned, NodeNotFound, NodeRejected):
        # pruned, or a node that does not serve milestone changes (a 404 or a refused route): query instead
        return None
    return result.merged(SyncResult(milestones_read=confirmed - since))


async def _catch_up_covered(
    account: Account,
    addresses: Sequence[AddressRecord],
    cursor: dict[str, int] | None,
    info: NodeInfo,
    *,
    opts: SyncOptions,
    check: PendingCheck,
) -> tuple[SyncResult, list[AddressRecord]] | None:
    """(what changed, the addresses brought up to date) when the addresses the last completed sync covered
    can be brought up to date from the milestones confirmed since it (see the module docstring), else None.

    Worth it when reading those milestones costs fewer requests than querying those addresses: at most one
    milestone per two covered addresses, and no more transactions creating outputs in them than there are
    covered addresses (each costs one block read, each address at least one query)."""
    if cursor is None or "ledgerIndex" not in cursor:
        return None
    covered = [a for a in addresses if covered_by(cursor, a)]
    since = int(cursor["ledgerIndex"])
    milestones = info.status.confirmed_milestone.index - since
    if not covered or milestones < 0 or milestones > MAX_CATCH_UP_MILESTONES or 2 * milestones > len(covered):
        return None
    await check.verified()
    result = await _milestones_since(account, since, info, opts, tx_budget=len(covered))
    return None if result is None else (result, covered)


async def _scan_empty(
    account: Account,
    addresses: Sequence[AddressRecord],
    held: dict[bytes, list[bytes]],
    cursor: dict[str, int] | None,
    opts: SyncOptions,
    *,
    floor: LedgerFloor,
) -> tuple[list[OutputRecord], list[AddressRecord]] | None:
    """(new outputs, addresses covered) of the ledger-wide listing for the addresses that hold nothing and
    that the last sync covered (every such address on a first sync: the listing is then of every unspent
    output since genesis), when there are enough of them and few enough outputs to list; else None."""
    if cursor is None:
        empty = [a for a in addresses if a.hash not in held]
        since = 0
    else:
        empty = [a for a in addresses if a.hash not in held and covered_by(cursor, a)]
        since = int(cursor["timestamp"]) - CURSOR_OVERLAP
    if len(empty) < GLOBAL_SCAN_MIN_ADDRESSES:
        return None
    records = await _created_since(account, since, empty, opts.concurrency, floor)
    return None if records is None else (records, empty)


async def sync_account_indexer(account: Account, options: SyncOptions | None = None) -> SyncResult:
    """Bring the account's stored outputs in line with the indexer (see the module docstring)."""
    opts = options or SyncOptions()
    wallet = account.wallet
    index = account.index
    progress_key, cursor_key = indexer_progress_key(index), indexer_cursor_key(index)

    def load(tx: StoreTx) -> tuple[list[AddressRecord], dict[bytes, list[bytes]], str | None, str | None]:
        addresses = tx.addresses(index, None if opts.internal else False)
        return addresses, tx.unspent_ids_by_address(index), tx.get_meta(progress_key), tx.get_meta(cursor_key)

    addresses, held, stored_progress, stored_cursor = await wallet.store.read(load)
    if not addresses:
        return SyncResult()
    loaded = (addresses, held, stored_progress, stored_cursor)
    return await run_ledger_checked(wallet, lambda info, check: _sync_checked(account, opts, loaded, info, check))


async def _sync_checked(
    account: Account,
    opts: SyncOptions,
    loaded: tuple[list[AddressRecord], dict[bytes, list[bytes]], str | None, str | None],
    info: NodeInfo,
    check: PendingCheck,
) -> SyncResult:
    """:func:`sync_account_indexer` once the node's info is in: the address queries run while ``check`` (the
    ledger check's milestone comparison) is under way; every write waits for it to pass."""
    wallet = account.wallet
    index = account.index
    progress_key, cursor_key = indexer_progress_key(index), indexer_cursor_key(index)
    addresses, held, stored_progress, stored_cursor = loaded
    if await recheck_unproven_spent(wallet, index, opts.concurrency, check):
        held = await wallet.store.read(lambda tx: tx.unspent_ids_by_address(index))
    began_index = info.status.confirmed_milestone.index
    began_at = info.status.confirmed_milestone.timestamp
    floor = LedgerFloor(began_index)
    cursor: dict[str, int] | None = json.loads(stored_cursor) if stored_cursor else None
    result = SyncResult()
    # addresses an interrupted sync finished, per chain: key indexes below these (a resume queries the rest;
    # an address generated since has a higher key index, whatever its chain)
    done_keys = {False: 0, True: 0}
    previous = json.loads(stored_progress) if stored_progress else None
    if previous is not None and not previous.get("global") and "public" in previous:
        since = int(previous["ledgerIndex"])
        caught_up = None
        if began_index - since <= MAX_CATCH_UP_MILESTONES:
            await check.verified()
            caught_up = await _milestones_since(account, since, info, opts)
        if caught_up is not None:
            result = caught_up
            done_keys = {False: int(previous["public"]), True: int(previous["internal"])}
            floor.settled = bool(previous.get("settled", True))
            held = await wallet.store.read(lambda tx: tx.unspent_ids_by_address(index))
    queried = [a for a in addresses if a.key_index >= done_keys[a.internal]]
    done = len(addresses) - len(queried)
    settled = None if done else await _catch_up_covered(account, addresses, cursor, info, opts=opts, check=check)
    scanned = None if done or settled else await _scan_empty(account, addresses, held, cursor, opts, floor=floor)
    if settled is not None:  # the covered addresses are up to date; query the ones generated since
        caught_up, up_to_date = settled
        result = result.merged(caught_up)
        skip = {a.hash for a in up_to_date}
        queried = [a for a in addresses if a.hash not in skip]
    elif scanned is not None:  # the covered addresses holding nothing are done; query the others
        records, empty = scanned
        await check.verified()
        inserted, _ = await wallet.store.write(
            partial(apply_changes, new_outputs=records, spent=[], bech32_of={a.hash: a.bech32 for a in empty})
        )
        result = result.merged(SyncResult(tuple(inserted)))
        skip = {a.hash for a in empty}
        queried = [a for a in addresses if a.hash not in skip]
    # the progress counts every address: those brought up to date without a query count as done at once
    shown = tracker(ProgressStage.INDEXER_SYNC, len(addresses), account.alias)
    if shown is not None and len(queried) < len(addresses):
        shown.advance(len(addresses) - len(queried))
    restart = settled is not None or scanned is not None  # an interrupted run starts again from the cursor
    for start in range(0, len(queried), CHUNK_ADDRESSES):
        chunk = queried[start : start + CHUNK_ADDRESSES]
        for a in chunk:  # queried in key order within each chain: what is done stays a prefix of each chain
            done_keys[a.internal] = max(done_keys[a.internal], a.key_index + 1)
        more = start + len(chunk) < len(queried)
        progress: dict[str, object] | None = (
            {"public": done_keys[False], "internal": done_keys[True], "global": restart} if more else None
        )
        result = result.merged(
            await sync_chunk(
                account,
                chunk,
                held=held,
                cursor=cursor,
                opts=opts,
                progress=progress,
                pruning_index=info.status.pruning_index,
                check=check,
                floor=floor,
                shown=shown,
            )
        )

    covered = {False: 0, True: 0}
    for a in addresses:
        covered[a.internal] = max(covered[a.internal], a.key_index + 1)
    await check.verified()

    def finish(tx: StoreTx) -> None:
        tx.set_meta(progress_key, "")  # empty: no sync left unfinished
        record_anchor(tx, info)
        if began_at is not None:
            state = {"timestamp": began_at, "public": covered[False], "internal": covered[True]}
            if floor.settled:  # else the next sync queries the addresses again (no milestone catch-up)
                state["ledgerIndex"] = floor.index
            tx.set_meta(cursor_key, json.dumps(state))

    await wallet.store.write(finish)
    return result
