"""Submit a signed transaction: wrap it in a block (parents from the node, proof of work when the node
requires it and does not do it itself), record the block id, post it.

The block id is written to the stored pending transaction *before* the block is posted, so after a crash
tracking finds either the block on the node or a block id the node does not know, and then reattaches the
same payload in a new block; it never builds a different transaction for the same inputs.
"""

from __future__ import annotations

import asyncio
from functools import partial

from tanglehub.protocol.block import MAX_PARENTS, Block
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.pow import find_nonce
from tanglehub.protocol.semantic import ConflictReason
from tanglehub.wallet.events import ProgressStep, TransactionProgress
from tanglehub.wallet.operations.transaction.context import AccountContext, NodeView, node_view
from tanglehub.wallet.operations.transaction.errors import TransactionRejectedError
from tanglehub.wallet.operations.transaction.sign import SignedTransaction, store_signed
from tanglehub.wallet.storage_queries import StoreTx

__all__ = ["build_block", "post_payload", "submit_transaction"]


def _log(event: TransactionProgress, tx: StoreTx) -> None:
    tx.add_event(event)


async def build_block(
    account: AccountContext, payload: TransactionPayload, view: NodeView, *, avoid: bytes | None = None
) -> Block:
    """A block carrying ``payload`` on the node's current tips, with a nonce if we must do the PoW.

    ``avoid`` is the id of the block being replaced: when the tips have not moved, the nonce is changed
    so that a reattachment really is a new block.
    """
    tips = await account.wallet.node.get_tips()
    parents = tuple(sorted(set(tips)))[:MAX_PARENTS]
    local_pow = view.min_pow_score > 0 and not view.remote_pow
    start = 0
    while True:
        block = Block(view.protocol_version, parents, payload, start)
        if local_pow:
            target = f"target score {view.min_pow_score}"
            step = ProgressStep.PERFORMING_POW
            event = TransactionProgress(account.index, step, payload.transaction_id(), target)
            await account.wallet.store.write(partial(_log, event))
            nonce = await asyncio.to_thread(
                find_nonce, block.bytes_without_nonce(), float(view.min_pow_score), start=start
            )
            block = Block(view.protocol_version, parents, payload, nonce)
        if avoid is None or block.block_id() != avoid or (view.min_pow_score > 0 and not local_pow):
            return block
        start = block.nonce + 1


async def post_payload(
    account: AccountContext,
    payload: TransactionPayload,
    *,
    view: NodeView | None = None,
    avoid: bytes | None = None,
) -> bytes:
    """Post ``payload`` (already stored as pending) in a new block (never the block ``avoid``); returns the
    block id the node gives. The block id is stored with a ``Broadcasting`` progress event (``Reattaching``
    when the payload was posted before) in one database transaction before the block is posted."""
    view = view or await node_view(account.wallet.node)
    block = await build_block(account, payload, view, avoid=avoid)
    block_id = block.block_id()
    tx_id = payload.transaction_id()

    def record(tx: StoreTx) -> None:
        rec = tx.transaction(tx_id)
        attempts = 0 if rec is None else rec.attempts
        previous = None if rec is None else rec.block_id
        tx.update_transaction(tx_id, block_id=block_id, attempts=attempts + 1)
        if previous is None and attempts == 0:
            step, detail = ProgressStep.BROADCASTING, "posting the block"
        else:
            replaced = "" if previous is None else f", replacing block 0x{previous.hex()}"
            step, detail = ProgressStep.REATTACHING, f"post {attempts + 1} of the same payload{replaced}"
        tx.add_event(TransactionProgress(account.index, step, tx_id, detail, block_id=block_id))

    await account.wallet.store.write(record)
    answered = await account.wallet.node.post_block(block)
    if answered != block_id:  # the node completed the nonce itself
        await account.wallet.store.write(lambda tx: tx.update_transaction(tx_id, block_id=answered))
    return answered


async def submit_transaction(account: AccountContext, signed: SignedTransaction) -> bytes:
    """Submit ``signed`` and return the block id; a payload signed elsewhere is stored (and its inputs
    reserved) first. A confirmed transaction is not sent again (its block id is returned)."""
    payload = signed.payload
    tx_id = payload.transaction_id()

    def ensure_stored(tx: StoreTx) -> tuple[str, bytes | None, int | None]:
        rec = tx.transaction(tx_id)
        if rec is None:
            store_signed(tx, payload, signed.account_index, signed.note, None)
            return "pending", None, None
        return rec.state, rec.block_id, rec.conflict_reason

    state, block_id, conflict = await account.wallet.store.write(ensure_stored)
    if state == "confirmed" and block_id is not None:
        return block_id
    if state == "conflicting":
        reason = ConflictReason.SEMANTIC_VALIDATION_FAILED
        if conflict is not None and conflict in ConflictReason._value2member_map_:
            reason = ConflictReason(conflict)
        raise TransactionRejectedError(reason, "the ledger already marked this transaction conflicting")
    return await post_payload(account, payload)
