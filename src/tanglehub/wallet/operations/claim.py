"""Claiming: take ownership of outputs sent with a storage deposit return and/or an expiration.

Claiming consumes such outputs (before they expire) and pays each storage deposit return back to its
return address with a plain output in the same transaction, as the protocol requires; what is left (the
amount meant for us, and any native tokens) goes to the remainder. When the claimed outputs alone cannot
cover the returns plus a remainder's own storage deposit, plain outputs of the account are added.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from tanglehub.protocol.address import Address
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    Output,
    StorageDepositReturnUnlockCondition,
)
from tanglehub.protocol.spendable import SpendState, spendability
from tanglehub.wallet.operations.send import finish_transaction
from tanglehub.wallet.operations.transaction.context import AccountContext, node_view
from tanglehub.wallet.operations.transaction.contract import before_signing
from tanglehub.wallet.operations.transaction.errors import TransactionOptionsError
from tanglehub.wallet.operations.transaction.options import TransactionOptions
from tanglehub.wallet.operations.transaction.prepare import prepare_transaction
from tanglehub.wallet.operations.transaction.select_inputs import Candidate, candidate_for
from tanglehub.wallet.storage_queries import StoreTx
from tanglehub.wallet.storage_schema import TransactionRecord

__all__ = ["MAX_CLAIM_INPUTS", "claim_outputs", "claimable_outputs", "return_outputs"]

MAX_CLAIM_INPUTS = 100
"""Most outputs claimed in one transaction (room is left for inputs that pay the returns)."""


async def claimable_outputs(account: AccountContext) -> list[bytes]:
    """Ids of the account's unspent, unreserved outputs that need claiming and can be claimed now: those
    :func:`tanglehub.protocol.spendable.spendability` calls ``CLAIMABLE`` (an expiration that has not
    passed), not within :data:`~tanglehub.wallet.operations.transaction.select_inputs.EXPIRATION_MARGIN`
    of it. Outputs stored under another account of the wallet are included when this account owns them."""
    view = await node_view(account.wallet.node)
    index = account.index

    def find(tx: StoreTx) -> list[bytes]:
        own = set(tx.address_hashes(index))
        reserved = tx.reserved_output_ids()
        out: list[bytes] = []
        for rec in tx.outputs(index, spent=False) + tx.shared_unspent(index):
            if rec.output_id in reserved or rec.output_id in out:
                continue
            if spendability(rec.output, own, view.now).state is not SpendState.CLAIMABLE:
                continue
            if isinstance(candidate_for(rec.output_id, rec.output, view.now, own, True), Candidate):
                out.append(rec.output_id)
        return out

    return await account.wallet.store.read(find)


def return_outputs(claimed: Sequence[Output], now: int) -> list[BasicOutput]:
    """The plain outputs paying back every unexpired storage deposit return of ``claimed`` (one per return
    address, amounts summed), in return-address byte order (input selection adds exactly these)."""
    owed: dict[bytes, tuple[Address, int]] = {}
    for o in claimed:
        sdruc = o.unlock_condition(StorageDepositReturnUnlockCondition)
        expiration = o.unlock_condition(ExpirationUnlockCondition)
        if sdruc is None or (expiration is not None and now >= expiration.unix_time):
            continue
        key = sdruc.return_address.to_bytes()
        prev = owed.get(key)
        owed[key] = (sdruc.return_address, sdruc.amount + (prev[1] if prev else 0))
    return [BasicOutput(amount, (AddressUnlockCondition(addr),)) for _, (addr, amount) in sorted(owed.items())]


async def claim_outputs(
    account: AccountContext, output_ids: Sequence[bytes] | None = None, options: TransactionOptions | None = None
) -> TransactionRecord | None:
    """Claim ``output_ids`` (default: every claimable output, at most :data:`MAX_CLAIM_INPUTS`) in one
    transaction; ``None`` when there is nothing to claim. Input selection pays each storage deposit return
    back and adds plain outputs when the claimed ones cannot cover the returns and a remainder.

    The send contract (:mod:`tanglehub.wallet.operations.transaction.contract`): an error means nothing was
    signed (its message says so); once signed, the pending record is returned even if posting failed."""
    with before_signing():
        options = options or TransactionOptions()
        if options.custom_inputs or options.mandatory_inputs:
            raise TransactionOptionsError(
                "claim_outputs chooses its inputs itself; give the outputs as output_ids"
            )
        ids = list(output_ids) if output_ids is not None else (await claimable_outputs(account))[:MAX_CLAIM_INPUTS]
        if not ids:
            return None
        if len(ids) > MAX_CLAIM_INPUTS:
            raise TransactionOptionsError(f"claim at most {MAX_CLAIM_INPUTS} outputs per transaction")
        view = await node_view(account.wallet.node)
        opts = dataclasses.replace(options, mandatory_inputs=tuple(ids))
    return await finish_transaction(account, prepare_transaction(account, [], opts, claiming=True, view=view))
