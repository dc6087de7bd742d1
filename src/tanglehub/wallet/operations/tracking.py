"""Follow sent transactions to ``confirmed`` or ``conflicting``; reattach; recover after a crash.

* :func:`track_transaction` asks the node once: the block that included the transaction (confirmed), else
  the metadata of the block the wallet last posted (conflicting, still pending, or ``shouldReattach``).
  A block the node does not know, or one it says should be reattached, is reissued with the SAME payload
  in a new block: same transaction id, new block id.
* Confirmed: the inputs are marked spent (``SpentOutput`` events) and their reservation ends; in the SAME
  database transaction the outputs it created to the wallet's own addresses (the remainder, transfers
  between the wallet's addresses or accounts) are stored with ``NewOutput`` events, so the balance goes
  straight from the old total to what is left, never through 0 until a sync. Stored by output id, so a
  later sync that sees the same outputs adds nothing.
  Conflicting: every input the ledger shows unspent is released; the others are marked spent.
  Both write a ``TransactionInclusion`` event in the same database transaction.
* :func:`retry_until_included` repeats that until the transaction is final or the attempts run out.
* :func:`recover_after_restart`: reservations whose transaction was never signed (no stored payload) or
  ended conflicting are released where the ledger shows the input unspent; a signed transaction that was
  never posted is posted now (the same payload, never a new one for those inputs); then every pending
  transaction is tracked once. A node error on one item leaves it for later instead of failing.

Outputs from others (received funds) are picked up by sync, not here.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from tanglehub.node.errors import NodeError, NodeNotFound
from tanglehub.node.models import BlockMetadata, LedgerInclusionState
from tanglehub.wallet.events import TransactionInclusion
from tanglehub.wallet.operations.outputs import (
    SpentInfo,
    apply_changes,
    ledger_spent_info,
    own_created_outputs,
)
from tanglehub.wallet.operations.transaction.context import AccountContext
from tanglehub.wallet.operations.transaction.errors import (
    TransactionNotFoundError,
    TransactionNotIncludedError,
    TransactionOptionsError,
)
from tanglehub.wallet.operations.transaction.prepare import in_flight
from tanglehub.wallet.operations.transaction.submit import post_payload
from tanglehub.wallet.storage_queries import StoreTx
from tanglehub.wallet.storage_schema import OutputRecord, TransactionRecord

__all__ = [
    "RecoveryReport",
    "own_created_outputs",
    "reattach",
    "recover_after_restart",
    "recover_wallet",
    "retry_until_included",
    "settle_inputs",
    "sync_pending_transactions",
    "track_transaction",
]

log = logging.getLogger("tanglehub.wallet.tracking")


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What :func:`recover_after_restart` did."""

    released: tuple[bytes, ...] = ()
    """Output ids whose reservation ended because the ledger shows them unspent."""
    marked_spent: tuple[bytes, ...] = ()
    """Output ids marked spent because the ledger shows them spent."""
    resubmitted: tuple[bytes, ...] = ()
    """Transaction ids of signed payloads that had never been posted and were posted now."""
    pending: tuple[TransactionRecord, ...] = ()
    """The account's transactions still pending afterwards."""
    deferred: tuple[bytes, ...] = ()
    """Reservation keys and transaction ids left for later because the node could not be reached."""


async def _record(account: AccountContext, tx_id: bytes) -> TransactionRecord:
    rec = await account.wallet.store.read(lambda tx: tx.transaction(tx_id))
    if rec is None or rec.account_index != account.index:
        raise TransactionNotFoundError(f"transaction 0x{tx_id.hex()} is not a transaction of this account")
    return rec


async def settle_inputs(
    account: AccountContext, key: bytes, output_ids: Sequence[bytes]
) -> tuple[list[bytes], list[bytes]]:
    """End the reservation ``key`` of ``output_ids`` by what the ledger says: unspent outputs are
    released, spent ones are marked spent. Returns (released, marked spent)."""
    node = account.wallet.node
    states = await asyncio.gather(*(ledger_spent_info(node, oid) for oid in output_ids))
    spent = [s for s in states if s is not None]
    released = [oid for oid, s in zip(output_ids, states, strict=True) if s is None]

    def apply(tx: StoreTx) -> list[bytes]:
        _, newly = apply_changes(tx, [], spent, {})
        tx.release_reservations(key)
        return newly

    newly_spent = await account.wallet.store.write(apply)
    return released, newly_spent


async def _milestone_timestamp(account: AccountContext, index: int | None) -> int | None:
    if index is None:
        return None
    try:
        return (await account.wallet.node.get_milestone_info_by_index(index)).timestamp
    except NodeError:
        return None


async def _confirm(account: AccountContext, rec: TransactionRecord, meta: BlockMetadata) -> TransactionRecord:
    index = meta.referenced_by_milestone_index
    ts = await _milestone_timestamp(account, index)
    tx_id = rec.tx_id
    infos = [SpentInfo(u.output_id, tx_id, index, ts) for u in rec.payload.essence.inputs]

    def apply(tx: StoreTx) -> TransactionRecord:
        created: list[OutputRecord] = []
        bech32_of: dict[bytes, str] = {}
        if index is not None and ts is not None:  # else apply_changes books them at the record's last update
            created, bech32_of = own_created_outputs(tx, rec, meta.block_id, index, ts)
        apply_changes(tx, created, infos, bech32_of, confirm_own=False)
        tx.release_reservations(tx_id)
        out = tx.update_transaction(tx_id, state="confirmed", inclusion_index=index, block_id=meta.block_id)
        tx.add_event(TransactionInclusion(rec.account_index, tx_id, "confirmed", meta.block_id, index))
        return out

    return await account.wallet.store.write(apply)


async def _conflict(account: AccountContext, rec: TransactionRecord, meta: BlockMetadata) -> TransactionRecord:
    tx_id = rec.tx_id
    await settle_inputs(account, tx_id, [u.output_id for u in rec.payload.essence.inputs])
    reason = meta.conflict_reason

    def apply(tx: StoreTx) -> TransactionRecord:
        tx.release_reservations(tx_id)
        out = tx.update_transaction(
            tx_id, state="conflicting", conflict_reason=reason, inclusion_index=meta.referenced_by_milestone_index
        )
        tx.add_event(
            TransactionInclusion(
                rec.account_index, tx_id, "conflicting", meta.block_id, meta.referenced_by_milestone_index, reason
            )
        )
        return out

    return await account.wallet.store.write(apply)


async def reattach(account: AccountContext, tx_id: bytes) -> bytes:
    """Post the stored payload of pending transaction ``tx_id`` again in a new block; the new block id."""
    rec = await _record(account, tx_id)
    if rec.state != "pending":
        raise TransactionOptionsError(
            f"transaction 0x{tx_id.hex()} is already {rec.state}; it needs no reattachment"
        )
    return await post_payload(account, rec.payload, avoid=rec.block_id)


async def track_transaction(account: AccountContext, tx_id: bytes, *, reattach: bool = True) -> TransactionRecord:
    """Check pending transaction ``tx_id`` once (see the module docstring); returns its record afterwards."""
    rec = await _record(account, tx_id)
    if rec.state != "pending":
        return rec
    node = account.wallet.node
    if rec.block_id is None:  # signed and stored, never posted (e.g. a crash before submit)
        await post_payload(account, rec.payload)
        return await _record(account, tx_id)
    try:
        included = await node.get_included_block_metadata(tx_id)
    except NodeNotFound:
        included = None
    if included is not None and included.ledger_inclusion_state is LedgerInclusionState.INCLUDED:
        return await _confirm(account, rec, included)
    try:
        meta = await node.get_block_metadata(rec.block_id)
    except NodeNotFound:  # the node lost the block, or never got it
        if reattach:
            await post_payload(account, rec.payload)
        return await _record(account, tx_id)
    if meta.ledger_inclusion_state is LedgerInclusionState.INCLUDED:
        return await _confirm(account, rec, meta)
    if meta.ledger_inclusion_state is LedgerInclusionState.CONFLICTING:
        return await _conflict(account, rec, meta)
    if reattach and meta.should_reattach:
        await post_payload(account, rec.payload, avoid=rec.block_id)
    return await _record(account, tx_id)


async def sync_pending_transactions(account: AccountContext) -> list[TransactionRecord]:
    """Track every pending transaction of the account once; returns their records afterwards."""
    index = account.index
    pending = await account.wallet.store.read(lambda tx: tx.transactions(index, state="pending"))
    return [await track_transaction(account, rec.tx_id) for rec in pending]


async def retry_until_included(
    account: AccountContext, tx_id: bytes, interval: float = 1.0, max_attempts: int = 40
) -> TransactionRecord:
    """Track ``tx_id`` every ``interval`` seconds (reattaching when needed) until it is confirmed or
    conflicting; raises :class:`TransactionNotIncludedError` after ``max_attempts`` checks."""
    if max_attempts < 1 or interval < 0:
        raise TransactionOptionsError("max_attempts must be at least 1 and interval not negative")
    for attempt in range(max_attempts):
        rec = await track_transaction(account, tx_id)
        if rec.state != "pending":
            return rec
        if attempt + 1 < max_attempts:
            await asyncio.sleep(interval)
    raise TransactionNotIncludedError(
        f"transaction 0x{tx_id.hex()} is still pending after {max_attempts} checks; it stays tracked, "
        "call retry_until_included again later"
    )


async def recover_after_restart(account: AccountContext) -> RecoveryReport:
    """Clean up after a crash (see the module docstring). Do not run it while this account is sending
    from another process; sends in this process are recognised and left alone.

    A node error while settling one reservation or handling one pending transaction does not stop the rest
    (and does not fail ``Wallet.open``): that item is left as it is (reservation kept, transaction pending)
    for the next tracking or open, and named in :attr:`RecoveryReport.deferred`."""
    store = account.wallet.store
    index = account.index
    reservations, pending_by_id = await store.read(
        lambda tx: (tx.reservations(index), {r.tx_id: r for r in tx.transactions(index, state="pending")})
    )
    busy = in_flight()
    groups: dict[bytes, list[bytes]] = defaultdict(list)
    for res in reservations:
        if res.tx_id not in busy and res.tx_id not in pending_by_id:
            groups[res.tx_id].append(res.output_id)
    released: list[bytes] = []
    spent: list[bytes] = []
    deferred: list[bytes] = []
    for key, oids in groups.items():
        try:
            freed, gone = await settle_inputs(account, key, oids)
        except NodeError as exc:
            log.warning("account %d: reservation 0x%s left for later: %s", index, key.hex(), exc)
            deferred.append(key)
            continue
        released += freed
        spent += gone
    resubmitted: list[bytes] = []
    for rec in pending_by_id.values():
        try:
            if rec.block_id is None:
                await post_payload(account, rec.payload)
                resubmitted.append(rec.tx_id)
            await track_transaction(account, rec.tx_id)
        except NodeError as exc:
            log.warning("account %d: pending transaction 0x%s left for later: %s", index, rec.tx_id.hex(), exc)
            deferred.append(rec.tx_id)
    pending = await store.read(lambda tx: tx.transactions(index, state="pending"))
    return RecoveryReport(tuple(released), tuple(spent), tuple(resubmitted), tuple(pending), tuple(deferred))


async def recover_wallet(wallet: object, accounts: Sequence[AccountContext]) -> dict[int, RecoveryReport]:
    """:func:`recover_after_restart` for each of ``accounts`` (of ``wallet``, named in the log lines);
    their reports by account index."""
    reports: dict[int, RecoveryReport] = {}
    for account in accounts:
        report = await recover_after_restart(account)
        reports[account.index] = report
        if report.released or report.marked_spent or report.resubmitted or report.pending or report.deferred:
            log.info(
                "%s, account %d: recovery released %d reserved input(s), marked %d spent, re-posted %d signed "
                "transaction(s), left %d for later (node unreachable); %d transaction(s) still pending",
                wallet,
                account.index,
                len(report.released),
                len(report.marked_spent),
                len(report.resubmitted),
                len(report.deferred),
                len(report.pending),
            )
    return reports
