"""Ledger-mode sync: follow confirmed milestones from the stored cursor, for every account at once.

For each milestone the node's ``utxo-changes`` list the created and consumed output ids. Created outputs are
fetched once each and matched against the in-memory set of the wallet's address hashes (one dictionary lookup
per output), and consumed ids are looked up among the stored unspent outputs (one primary-key lookup each):
the cost follows the ledger's new outputs, not the number of addresses. A milestone that touches the wallet is
applied in one database transaction together with the cursor (``meta.ledger_cursor`` = next milestone to
read); milestones that do not are skipped and the cursor catches up at the end. A crash at any point is
safe: a rerun reads from the stored cursor and applying a milestone twice changes nothing.

The first ledger sync of a wallet (no cursor yet) runs an indexer sync of every account to establish the
state, then starts after the milestone the node had confirmed before that sync began. When the node has
pruned the milestone the cursor points at, the same indexer rescan re-establishes the state.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from tanglehub.keys.bech32 import ED25519, encode_address
from tanglehub.node import MilestoneChanges, MilestoneCursor, MilestonePruned, NodeNotFound
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.wallet.operations.outputs import SpentInfo, apply_changes, owner_hash
from tanglehub.wallet.operations.sync_indexer import SyncResult, record_from_response, sync_account_indexer
from tanglehub.wallet.options import SyncMode, SyncOptions
from tanglehub.wallet.storage import StoreTx
from tanglehub.wallet.storage_schema import OutputRecord

if TYPE_CHECKING:
    from tanglehub.wallet.wallet import Wallet

__all__ = ["LEDGER_CURSOR_KEY", "sync_ledger"]

LEDGER_CURSOR_KEY = "ledger_cursor"
"""The meta key holding the next milestone index ledger sync reads."""


async def _rescan(wallet: Wallet, options: SyncOptions) -> SyncResult:
    """Indexer-sync every account, then put the cursor after the milestone confirmed before the scan."""
    info = await wallet.node.get_info()
    start = info.status.confirmed_milestone.index + 1
    result = SyncResult()
    indexer_options = SyncOptions(SyncMode.INDEXER, options.concurrency, True)
    for account in await wallet.accounts():
        result = result.merged(await sync_account_indexer(account, indexer_options))
    await wallet.store.write(lambda tx: tx.set_meta(LEDGER_CURSOR_KEY, start))
    return result.merged(SyncResult(ledger_index=start - 1))


async def _milestone_changes(
    wallet: Wallet, changes: MilestoneChanges, concurrency: int
) -> tuple[list[OutputRecord], list[SpentInfo]]:
    ours = await wallet.address_map()
    responses = await wallet.node.get_outputs(list(changes.created_outputs), concurrency=concurrency)
    records: list[OutputRecord] = []
    for response in responses:
        h = owner_hash(response.output, ours)
        if h is not None:
            records.append(record_from_response(response, ours[h], h))
    created_here = {r.output_id for r in records}
    consumed = list(changes.consumed_outputs)
    stored = await wallet.store.read(lambda tx: tx.unspent_owners(consumed))
    mine = [oid for oid in consumed if oid in stored or oid in created_here]

    async def spent_info(oid: bytes) -> SpentInfo:
        try:
            meta = await wallet.node.get_output_metadata(oid)
        except NodeNotFound:
            return SpentInfo(oid, None, changes.index, changes.timestamp)
        return SpentInfo(oid, meta.transaction_id_spent, changes.index, changes.timestamp)

    spent = await fetch_concurrently(spent_info, mine, concurrency) if mine else []
    return records, spent


def _apply_milestone(
    tx: StoreTx,
    *,
    records: list[OutputRecord],
    spent: list[SpentInfo],
    bech32_of: dict[bytes, str],
    next_index: int,
) -> tuple[list[bytes], list[bytes]]:
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
    hrp = wallet.bech32_hrp
    cursor = MilestoneCursor(wallet.node, start)
    new_ids: list[bytes] = []
    spent_ids: list[bytes] = []
    read = 0
    persisted = start
    try:
        async for changes in cursor.available():
            read += 1
            records, spent = await _milestone_changes(wallet, changes, opts.concurrency)
            if records or spent:
                bech32_of = {r.address_hash: encode_address(hrp, ED25519, r.address_hash) for r in records}
                next_index = changes.index + 1
                inserted, newly_spent = await wallet.store.write(
                    partial(
                        _apply_milestone, records=records, spent=spent, bech32_of=bech32_of, next_index=next_index
                    )
                )
                persisted = next_index
                new_ids.extend(inserted)
                spent_ids.extend(newly_spent)
            if opts.max_milestones is not None and read >= opts.max_milestones:
                break
    except MilestonePruned:
        rescanned = await _rescan(wallet, opts)
        return SyncResult(tuple(new_ids), tuple(spent_ids), read).merged(rescanned)
    final = cursor.next_index
    if final > persisted:
        await wallet.store.write(lambda tx: tx.set_meta(LEDGER_CURSOR_KEY, final))
    return SyncResult(tuple(new_ids), tuple(spent_ids), read, final - 1)
