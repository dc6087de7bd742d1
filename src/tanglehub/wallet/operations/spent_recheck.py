"""Re-check outputs marked spent without proof (older versions did that when the node did not know them).

Versions before the proof rule (see :mod:`~tanglehub.wallet.operations.outputs`) marked a stored output spent
when the indexer no longer listed it and the node answered 404 for its metadata: one sync against a lagging
node or another ledger of the same network name took those outputs out of the balance for good. Such marks
have neither a spending transaction nor a spending milestone. Before each sync (after the ledger check),
each of them is asked of the node once more (one metadata request each; none in a wallet without such
marks):

* the node shows it unspent: the mark is undone (a ``BalanceChange`` event tells the balance came back);
* the node shows it spent: the spending transaction and milestone are filled in (never asked again);
* the node does not know it: left as it is (pruned, or this node cannot tell; the next sync asks again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tanglehub.node import NodeNotFound
from tanglehub.node.routes_indexer import fetch_concurrently
from tanglehub.wallet.events import BalanceChange
from tanglehub.wallet.storage import StoreTx

if TYPE_CHECKING:
    from tanglehub.node.models import OutputMetadata
    from tanglehub.wallet.operations.ledger_check import PendingCheck
    from tanglehub.wallet.wallet import Wallet

__all__ = ["recheck_unproven_spent"]


async def recheck_unproven_spent(
    wallet: Wallet, account_index: int | None, concurrency: int, check: PendingCheck | None = None
) -> list[bytes]:
    """Re-check the unproven spent marks of one account (or all, ``None``); the ids marked unspent again.
    ``check`` is the sync's ledger check still under way: it must pass before the node is asked."""
    unproven = await wallet.store.read(lambda tx: tx.unproven_spent(account_index))
    if not unproven:
        return []
    if check is not None:
        await check.verified()

    async def metadata(oid: bytes) -> OutputMetadata | None:
        try:
            return await wallet.node.get_output_metadata(oid)
        except NodeNotFound:
            return None

    ids = list(unproven)
    answers = await fetch_concurrently(metadata, ids, concurrency)

    def apply(tx: StoreTx) -> list[bytes]:
        restored: list[bytes] = []
        for oid, meta in zip(ids, answers, strict=True):
            if meta is None:
                continue
            if meta.is_spent:
                tx.set_spent_proof(
                    oid,
                    tx_id=meta.transaction_id_spent,
                    milestone_index=meta.milestone_index_spent,
                    timestamp=meta.milestone_timestamp_spent,
                )
                continue
            rec = tx.output(oid)
            if rec is None or not rec.spent:
                continue
            before = tx.unspent_total(rec.account_index)
            tx.mark_output_unspent(oid)
            restored.append(oid)
            tx.add_event(BalanceChange(rec.account_index, before, tx.unspent_total(rec.account_index)))
        return restored

    return await wallet.store.write(apply)
