"""Ledger-mode sync: follow confirmed milestones from the stored cursor, for every account at once.

For each milestone the node's ``utxo-changes`` list the created and consumed output ids. Created outputs are
grouped by transaction and every transaction is read once, in binary, from its included block (at most
``concurrency`` requests in flight); each output is matched against the in-memory set of the wallet's address
hashes (one dictionary lookup per output). Consumed ids are looked up among the stored unspent outputs (one
primary-key lookup each, no request); their spending transaction is among those just read. The cost follows
the ledger's new transactions, not the number of addresses. A milestone that touches the wallet is
applied in one database transaction together with the cursor (``meta.ledger_cursor`` = next milestone to
read); milestones that do not are skipped and the cursor catches up at the end. A crash at any point is
safe: a rerun reads from the stored cursor and applying a milestone twice changes nothing.

Before anything is stored, the node's ledger is checked against the wallet's
(:func:`~tanglehub.wallet.operations.ledger_check.begin_ledger_check`; the one milestone read it may need runs
alongside the first milestone reads, and its node info gives the confirmed milestone to read up to): a node
whose confirmed milestone is below the cursor, or with another milestone at an index the wallet saw, is
refused with a clear error and the cursor never moves back. Outputs that older versions marked spent without
proof are re-checked (:mod:`~tanglehub.wallet.operations.spent_recheck`). A consumed output is marked spent
because a confirmed milestone consumed it: that is the proof.

The first ledger sync of a wallet (no cursor yet) runs an indexer sync of every account to establish the
state, then starts after the milestone the node had confirmed before that sync began. When the node has
pruned the milestone the cursor points at, the same indexer rescan re-establishes the state.

Milestones are matched against the addresses stored when they are read, so outputs that reached an address
before it was stored lie behind the cursor: ``Wallet.sync`` and ``Account.sync`` therefore run this through
:func:`~tanglehub.wallet.operations.discovery.ledger_sync`, which also checks every address stored since the
last check (and runs the gap scan that follows a restore).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from functools import partial
from typing import TYPE_CHECKING

from tanglehub.keys.bech32 import ED25519, encode_address
from tanglehub.node import MilestoneChanges, MilestoneCursor, MilestonePruned
from tanglehub.node.models import NodeInfo
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.wallet.operations.history import fetch_transactions
from tanglehub.wallet.operations.ledger_check import PendingCheck, record_anchor, run_ledger_checked
from tanglehub.wallet.operations.milestones import created_transaction_ids, milestone_changes
from tanglehub.wallet.operations.outputs import SpentInfo, apply_changes
from tanglehub.wallet.operations.spent_recheck import recheck_unproven_spent
from tanglehub.wallet.operations.sync_indexer import SyncResult, sync_account_indexer
from tanglehub.wallet.options import SyncMode, SyncOptions
from tanglehub.wallet.progress import ProgressStage, progress_scope, report
from tanglehub.wallet.storage import StoreTx
from tanglehub.wallet.storage_schema import OutputRecord

if TYPE_CHECKING:
    from tanglehub.wallet.wallet import Wallet

__all__ = ["LEDGER_CURSOR_KEY", "sync_ledger"]

LEDGER_CURSOR_KEY = "ledger_cursor"
"""The meta key holding the next milestone index ledger sync reads."""
LOOKAHEAD_MILESTONES = 4
"""Milestones whose changes and transactions are read ahead while an earlier one is matched and stored."""


async def _rescan(wallet: Wallet, options: SyncOptions) -> SyncResult:
    """Indexer-sync every account, then put the cursor after the milestone confirmed before the scan."""
    info = await wallet.node.get_info()
    start = info.status.confirmed_milestone.index + 1
    result = SyncResult()
    indexer_options = SyncOptions(SyncMode.INDEXER, options.concurrency, True)
    with progress_scope(None, ProgressStage.LEDGER_BOOTSTRAP):
        for account in await wallet.accounts():
            result = result.merged(await sync_account_indexer(account, indexer_options))

    def move(tx: StoreTx) -> None:  # never back (a rescan after pruning starts later than any cursor)
        stored = tx.get_meta(LEDGER_CURSOR_KEY)
        tx.set_meta(LEDGER_CURSOR_KEY, max(start, int(stored) if stored else 0))

    await wallet.store.write(move)
    return result.merged(SyncResult(ledger_index=start - 1))


async def _read_milestone(
    wallet: Wallet, cursor: MilestoneCursor, index: int, concurrency: int
) -> tuple[MilestoneChanges, list[tuple[bytes, TransactionPayload]]]:
    """Milestone ``index``'s changes and the transactions that created its outputs (network reads only, so
    the next milestones can be read while an earlier one is applied)."""
    changes = await cursor.read(index)
    return changes, await fetch_transactions(wallet, created_transaction_ids([changes]), concurrency)


def _apply_milestone(
    tx: StoreTx,
    *,
    records: list[OutputRecord],
    spent: list[SpentInfo],
    hrp: str,
    next_index: int,
) -> tuple[list[bytes], list[bytes]]:
    # the addresses' bech32 texts (for the NewOutput events) as stored, one query instead of one encoding each
    hashes = {r.address_hash for r in records}
    bech32_of = tx.address_texts(hashes)
    for h in hashes - bech32_of.keys():  # pragma: no cover - every owner hash is a stored address
        bech32_of[h] = encode_address(hrp, ED25519, h)
    result = apply_changes(tx, records, spent, bech32_of)
    tx.set_meta(LEDGER_CURSOR_KEY, next_index)
    return result


async def sync_ledger(wallet: Wallet, options: SyncOptions | None = None) -> SyncResult:
    """Apply every confirmed milestone after the stored cursor (see the module docstring)."""
    opts = options or SyncOptions(SyncMode.LEDGER)
    stored = await wallet.store.read(lambda tx: tx.get_meta(LEDGER_CURSOR_KEY))
    if stored is None:
        return await _rescan(wallet, opts)
    start = int(stored)
    return await run_ledger_checked(wallet, lambda info, check: _follow(wallet, opts, start, info, check))


async def _follow(
    wallet: Wallet, opts: SyncOptions, start: int, info: NodeInfo, check: PendingCheck
) -> SyncResult:
    """Read and apply the milestones from ``start`` on; nothing is stored or reported before ``check`` has
    passed (its milestone read runs alongside the first milestone reads)."""
    hrp = wallet.bech32_hrp
    cursor = MilestoneCursor(wallet.node, start)
    new_ids: list[bytes] = []
    spent_ids: list[bytes] = []
    read = 0
    persisted = start
    pending: deque[asyncio.Task[tuple[MilestoneChanges, list[tuple[bytes, TransactionPayload]]]]] = deque()
    try:
        confirmed = await cursor.refresh(info)  # the check's info: no second request
        last = confirmed if opts.max_milestones is None else min(confirmed, start + opts.max_milestones - 1)
        upcoming = iter(range(start, last + 1))
        for index in itertools.islice(upcoming, LOOKAHEAD_MILESTONES):
            pending.append(asyncio.ensure_future(_read_milestone(wallet, cursor, index, opts.concurrency)))
        await recheck_unproven_spent(wallet, None, opts.concurrency, check)
        while pending:
            changes, fetched = await pending.popleft()
            for index in itertools.islice(upcoming, 1):
                pending.append(asyncio.ensure_future(_read_milestone(wallet, cursor, index, opts.concurrency)))
            await check.verified()
            read += 1
            report(ProgressStage.LEDGER_SYNC, read)
            records, spent = await milestone_changes(wallet, changes, opts.concurrency, fetched)
            if records or spent:
                next_index = changes.index + 1
                inserted, newly_spent = await wallet.store.write(
                    partial(_apply_milestone, records=records, spent=spent, hrp=hrp, next_index=next_index)
                )
                persisted = next_index
                new_ids.extend(inserted)
                spent_ids.extend(newly_spent)
    except MilestonePruned:
        await check.verified()
        rescanned = await _rescan(wallet, opts)
        return SyncResult(tuple(new_ids), tuple(spent_ids), read).merged(rescanned)
    finally:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    final = start + read
    await check.verified()

    def finish(tx: StoreTx) -> None:
        if final > persisted:
            tx.set_meta(LEDGER_CURSOR_KEY, final)
        record_anchor(tx, info)

    await wallet.store.write(finish)
    return SyncResult(tuple(new_ids), tuple(spent_ids), read, final - 1)
