"""Finding what addresses already hold: new addresses are checked, and a restore is followed by a gap scan.

Two rules make sure every funded address is found, whichever sync mode a wallet uses.

**A new address is checked before it counts as unused.** Ledger-mode sync matches the outputs of the
milestones it reads against the addresses stored at that moment, so an output that reached an address before
the wallet stored it (an address handed out from ``tanglehub keys derive``, or generated again after a
restore) lies behind the cursor. Every address stored after the last check (the meta key
:data:`ADDRESS_CHECK_KEY` holds the ``addresses`` row id up to which all were checked) is therefore asked of
the indexer once: the outputs it can unlock are fetched (only those not stored yet; an output the node
reports spent is skipped) and stored with their events, in the same database transaction that moves the
mark. Ledger-mode sync (:func:`ledger_sync`) checks them after reading the milestones, so outputs that those
milestones already delivered cost no fetch; :func:`~tanglehub.wallet.operations.addresses.latest_unused_address`
checks them before it answers, so it never hands out an address that holds outputs. An indexer sync of every
account with ``internal=True`` checks every address by itself and just moves the mark. Cost: one indexer
query per new address, once (storing 10,000 addresses at a time costs the next ledger sync about what one
indexer-mode sync of them costs; later ledger syncs are as cheap as before).

**After a restore, scan ahead by a gap limit.** A restored backup may be older than addresses the wallet
handed out later. :func:`~tanglehub.wallet.backup.restore_backup` marks the restored state (meta key
:data:`RESTORE_SCAN_KEY`); the next sync in either mode, or the next ``latest_unused_address``, first runs
:func:`scan_after_restore`: the node's kept milestone history since the backup's last known milestone
(:mod:`~tanglehub.wallet.operations.history`) names every address that received or spent an output since;
stored addresses among them are marked used, and on both chains of every account the addresses after the
highest stored key index are probed in windows of :data:`RESTORE_ADDRESS_GAP` (used = the indexer lists an
output for it, or it is in that history), up to the last used one. Those addresses are stored (and then
checked as new addresses), so their outputs are synced and ``latest_unused_address`` moves past them. The
mark is cleared once the scan has finished; a scan interrupted by an error runs again next time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tanglehub.node import OutputQuery
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.wallet.operations.history import addresses_with_history
from tanglehub.wallet.operations.outputs import apply_changes
from tanglehub.wallet.operations.recover import mark_history_used, scan_chain
from tanglehub.wallet.operations.sync_indexer import SyncResult, record_from_response
from tanglehub.wallet.operations.sync_ledger import LEDGER_CURSOR_KEY, sync_ledger
from tanglehub.wallet.options import DEFAULT_SYNC_CONCURRENCY, SyncOptions
from tanglehub.wallet.storage import StoreTx
from tanglehub.wallet.storage_schema import AddressRecord

if TYPE_CHECKING:
    from tanglehub.wallet.wallet import Wallet

__all__ = [
    "ADDRESS_CHECK_KEY",
    "RESTORE_ADDRESS_GAP",
    "RESTORE_SCAN_KEY",
    "check_new_addresses",
    "ledger_sync",
    "mark_checked",
    "needs_checks",
    "scan_after_restore",
    "unchecked_addresses",
]

ADDRESS_CHECK_KEY = "address_check_rowid"
"""Meta key: every address with an ``addresses`` row id up to this value has been checked."""
RESTORE_SCAN_KEY = "restore_scan"
"""Meta key: ``pending`` after a restore until :func:`scan_after_restore` has finished."""
RESTORE_ADDRESS_GAP = 20
"""Consecutive unused addresses that end the scan of a chain after a restore (BIP44's gap limit)."""


def _unchecked(tx: StoreTx) -> tuple[int, list[AddressRecord]]:
    rows = tx.addresses_after(int(tx.get_meta(ADDRESS_CHECK_KEY) or 0))
    return (rows[-1][0] if rows else 0), [a for _, a in rows]


async def unchecked_addresses(wallet: Wallet) -> tuple[int, list[AddressRecord]]:
    """(highest row id, addresses) of every address stored since the last check (row id 0 when none)."""
    return await wallet.store.read(_unchecked)


async def needs_checks(wallet: Wallet) -> bool:
    """True when a restore scan is pending or some address has not been checked yet (one read)."""

    def read(tx: StoreTx) -> bool:
        return tx.get_meta(RESTORE_SCAN_KEY) == "pending" or bool(_unchecked(tx)[1])

    return await wallet.store.read(read)


async def mark_checked(wallet: Wallet, rowid: int) -> None:
    """Record that every address up to row id ``rowid`` has been checked (the mark never moves back)."""

    def mark(tx: StoreTx) -> None:
        if rowid > int(tx.get_meta(ADDRESS_CHECK_KEY) or 0):
            tx.set_meta(ADDRESS_CHECK_KEY, rowid)

    await wallet.store.write(mark)


async def _check(wallet: Wallet, addresses: Sequence[AddressRecord], rowid: int, concurrency: int) -> SyncResult:
    """Ask the indexer about ``addresses``, store what they hold and move the check mark to ``rowid``."""
    node = wallet.node

    async def query(address: AddressRecord) -> list[bytes]:
        return await node.all_output_ids(OutputQuery(unlockable_by_address=address.bech32))

    found: dict[bytes, AddressRecord] = {}
    for address, ids in zip(addresses, await fetch_concurrently(query, addresses, concurrency), strict=True):
        for oid in ids:
            found.setdefault(oid, address)
    known = await wallet.store.read(lambda tx: tx.known_output_ids(list(found)))
    responses = await node.get_outputs([oid for oid in found if oid not in known], concurrency=concurrency)
    records = []
    for r in responses:
        if not r.metadata.is_spent:
            owner = found[r.output_id]
            records.append(record_from_response(r, owner.account_index, owner.hash))
    bech32_of = {a.hash: a.bech32 for a in addresses}

    def apply(tx: StoreTx) -> tuple[list[bytes], list[bytes]]:
        result = apply_changes(tx, records, [], bech32_of)
        if rowid > int(tx.get_meta(ADDRESS_CHECK_KEY) or 0):
            tx.set_meta(ADDRESS_CHECK_KEY, rowid)
        return result

    inserted, _ = await wallet.store.write(apply)
    return SyncResult(tuple(inserted))


async def check_new_addresses(wallet: Wallet, concurrency: int = DEFAULT_SYNC_CONCURRENCY) -> SyncResult:
    """Check every address stored since the last check (see the module docstring); the caller holds the
    wallet's sync lock. Raises the node's errors (the mark stays, so a later call checks them again)."""
    rowid, addresses = await unchecked_addresses(wallet)
    if not addresses:
        return SyncResult()
    return await _check(wallet, addresses, rowid, concurrency)


def _history_start(tx: StoreTx) -> int:
    """The first milestone whose history a restored state may not know: the ledger cursor, or the one after
    the last stored booking, whichever is earlier (0 = all the node keeps)."""
    cursor = tx.get_meta(LEDGER_CURSOR_KEY)
    booked = tx.last_booked_index()
    starts = [int(cursor)] if cursor is not None else []
    if booked:
        starts.append(booked + 1)
    return min(starts, default=0)


async def scan_after_restore(
    wallet: Wallet, gap: int = RESTORE_ADDRESS_GAP, concurrency: int = DEFAULT_SYNC_CONCURRENCY
) -> bool:
    """Run the pending post-restore gap scan (see the module docstring); False when none is pending.

    The caller holds the wallet's sync lock. Raises the node's errors (the scan stays pending).
    """
    pending, start = await wallet.store.read(
        lambda tx: (tx.get_meta(RESTORE_SCAN_KEY) == "pending", _history_start(tx))
    )
    if not pending:
        return False
    history = await addresses_with_history(wallet, start, concurrency)
    by_chain: dict[tuple[int, bool], int] = defaultdict(int)
    for address in await wallet.store.read(lambda tx: [a for _, a in tx.addresses_after(0)]):
        key = (address.account_index, address.internal)
        by_chain[key] = max(by_chain[key], address.key_index + 1)
    for account in await wallet.accounts():
        for internal in (False, True):
            have = by_chain[(account.index, internal)]
            needed = await scan_chain(
                wallet, account.index, internal, gap, concurrency, start=have, history=history
            )
            if needed > have:
                await account.generate_addresses(needed - have, internal=internal)
    await mark_history_used(wallet, history)
    await wallet.store.write(lambda tx: tx.set_meta(RESTORE_SCAN_KEY, "done"))
    return True


async def ledger_sync(wallet: Wallet, options: SyncOptions) -> SyncResult:
    """Ledger-mode sync that finds every funded address: the pending restore scan, then
    :func:`~tanglehub.wallet.operations.sync_ledger.sync_ledger`, then the check of every address stored
    since the last check (a first sync, which rescans through the indexer, just moves the mark). The caller
    holds the wallet's sync lock."""
    await scan_after_restore(wallet, concurrency=options.concurrency)
    first = await wallet.store.read(lambda tx: tx.get_meta(LEDGER_CURSOR_KEY)) is None
    rowid, addresses = await unchecked_addresses(wallet)
    result = await sync_ledger(wallet, options)
    if not addresses:
        return result
    if first:
        await mark_checked(wallet, rowid)
        return result
    return result.merged(await _check(wallet, addresses, rowid, options.concurrency))
