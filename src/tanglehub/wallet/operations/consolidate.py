"""Consolidation: merge many small outputs of an account into few, at most 128 inputs per transaction.

Only outputs input selection may spend are merged (plain Basic outputs owned by the account: no timelock,
no storage deposit return, no expiration, not reserved). Native tokens move along with the base tokens.
"""

from __future__ import annotations

import dataclasses
import logging

from tanglehub.errors import TanglehubError
from tanglehub.protocol.address import Address, Ed25519Address
from tanglehub.protocol.payload import MAX_INPUTS
from tanglehub.wallet.errors import AddressNotFoundError
from tanglehub.wallet.operations.send import finish_transaction
from tanglehub.wallet.operations.transaction.context import AccountContext, node_view
from tanglehub.wallet.operations.transaction.contract import before_signing, is_nothing_signed
from tanglehub.wallet.operations.transaction.errors import TransactionOptionsError
from tanglehub.wallet.operations.transaction.options import CustomAddress, TransactionOptions
from tanglehub.wallet.operations.transaction.prepare import prepare_transaction
from tanglehub.wallet.operations.transaction.select_inputs import usable_candidates
from tanglehub.wallet.storage_queries import StoreTx
from tanglehub.wallet.storage_schema import TransactionRecord

__all__ = ["DEFAULT_CONSOLIDATION_THRESHOLD", "consolidate_outputs"]

log = logging.getLogger("tanglehub.wallet.consolidate")

DEFAULT_CONSOLIDATION_THRESHOLD = 2
"""Consolidate only when at least this many spendable outputs exist."""


async def consolidate_outputs(
    account: AccountContext,
    *,
    threshold: int = DEFAULT_CONSOLIDATION_THRESHOLD,
    max_inputs: int = MAX_INPUTS,
    target: Address | None = None,
    options: TransactionOptions | None = None,
) -> list[TransactionRecord]:
    """Merge the account's spendable outputs into one output per batch of ``max_inputs`` (smallest first),
    paid to ``target`` (default: the account's first address). Returns the sent transactions (none when
    fewer than ``threshold`` outputs are spendable).

    The send contract (:mod:`tanglehub.wallet.operations.transaction.contract`) holds for the whole call:
    an error means nothing was signed by it (the message says so). When a later batch fails before signing,
    the batches already signed are returned (the failure is logged; call again to merge the rest), so no
    signed transaction goes unreported; each returned record may still be pending its first post."""
    with before_signing():
        if not 2 <= max_inputs <= MAX_INPUTS or threshold < 2:
            raise TransactionOptionsError(f"max_inputs must be 2..{MAX_INPUTS} and threshold at least 2")
        options = options or TransactionOptions()
        if options.custom_inputs or options.mandatory_inputs:
            raise TransactionOptionsError("consolidate_outputs chooses its inputs itself")
        view = await node_view(account.wallet.node)
        index = account.index

        def load(tx: StoreTx) -> tuple[list[bytes], bytes | None]:
            addresses = tx.addresses(index)
            candidates, _ = usable_candidates(
                tx.outputs(index, spent=False) + tx.shared_unspent(index, 3),
                own_hashes={a.hash for a in addresses},
                reserved=tx.reserved_output_ids(),
                now=view.now,
            )
            candidates.sort(key=lambda c: (c.amount, c.output_id))
            first = next((a.hash for a in addresses if not a.internal), None)
            return [c.output_id for c in candidates], first

        ids, first = await account.wallet.store.read(load)
        if len(ids) < threshold:
            return []
        if target is None:
            if first is None:
                raise AddressNotFoundError("the account has no public address to consolidate into; generate one")
            target = Ed25519Address(first)
    sent: list[TransactionRecord] = []
    for start in range(0, len(ids), max_inputs):
        batch = ids[start : start + max_inputs]
        if len(batch) < 2:
            break
        opts = dataclasses.replace(options, remainder=CustomAddress(target), custom_inputs=tuple(batch))
        try:
            sent.append(await finish_transaction(account, prepare_transaction(account, [], opts, view=view)))
        except TanglehubError as exc:
            if not sent or not is_nothing_signed(exc):
                raise
            log.warning(
                "consolidation stopped after %d signed transaction(s) (%s); call it again for the rest",
                len(sent),
                exc,
            )
            break
    return sent
