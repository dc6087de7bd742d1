"""A batch's state changes in the database, each one write transaction with its events.

``building`` -> :func:`mark_signed` -> ``signed`` -> :func:`mark_submitted` -> ``submitted`` ->
:func:`confirm` (``confirmed``: inputs spent, outputs to hot addresses recorded as hub outputs, its
withdrawals paid) or :func:`mark_dead` (``dead``: an input was consumed by a *different* transaction, which the
caller proved from the node's output metadata; inputs consumed elsewhere are marked spent, the others released,
its withdrawals go back to ``queued`` unpaid and not refunded). :func:`mark_refused` (the signer refused:
nothing was signed) releases the inputs; a refused batch of several withdrawals sends each back to ``queued``
to be retried alone, a refused single withdrawal fails with the signer's reason and is refunded once.

Every function takes the write lock, re-reads the batch and does nothing when it is no longer in the state it
expects, so two workers (or a worker and its restarted self) can never apply one change twice. TREASURY's
kinds register hooks (:func:`register_hooks`) that run inside the confirming / dead / refused transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.models.payout import Batch, HotAddress, Withdrawal
from tanglehub.hub.outputs import service as outputs
from tanglehub.hub.withdrawals import book
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.jsonutil import hex_from_bytes
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.protocol.payload import TransactionPayload

__all__ = [
    "BatchHooks",
    "confirm",
    "mark_dead",
    "mark_refused",
    "mark_signed",
    "mark_submitted",
    "new_signing_attempt",
    "register_hooks",
]

Hook = Callable[[Session, Batch], None]


@dataclass(slots=True)
class BatchHooks:
    """Callbacks of one batch kind, run inside the transaction that confirms / kills / refuses a batch."""

    confirmed: Hook | None = None
    dead: Hook | None = None
    refused: Hook | None = None


_HOOKS: dict[str, BatchHooks] = {}


def register_hooks(kind: str, hooks: BatchHooks) -> None:
    """Register the hooks of batch ``kind`` (``sweep``, ``treasury``, ``recovery``; replaces earlier ones)."""
    _HOOKS[kind] = hooks


def _batch(session: Session, batch_id: int, states: tuple[str, ...]) -> Batch | None:
    lock_writes(session)
    batch = session.get(Batch, batch_id, populate_existing=True)
    if batch is None or batch.state not in states:
        session.rollback()
        return None
    return batch


def _withdrawals(session: Session, batch_id: int) -> list[Withdrawal]:
    return list(session.scalars(select(Withdrawal).where(Withdrawal.batch_id == batch_id).order_by(Withdrawal.id)))


def _event(session: Session, batch: Batch, kind: str, **extra: object) -> None:
    append_event(
        session,
        f"batch.{kind}",
        {
            "batchId": str(batch.id),
            "kind": batch.kind,
            "state": batch.state,
            "transactionId": batch.transaction_id,
            "blockId": batch.block_id,
            "milestone": batch.milestone,
            **extra,
        },
    )


def mark_signed(session: Session, batch_id: int, payload: TransactionPayload) -> bool:
    """Store the signed payload of a ``building`` batch (before any submission); commits. False if not
    ``building`` any more."""
    batch = _batch(session, batch_id, ("building",))
    if batch is None:
        return False
    batch.payload = payload.to_bytes()
    batch.transaction_id = hex_from_bytes(payload.transaction_id())
    batch.state = "signed"
    batch.updated_at = now_ms()
    for w in _withdrawals(session, batch_id):
        w.transaction_id = batch.transaction_id
    _event(session, batch, "signed")
    session.commit()
    return True


def mark_submitted(session: Session, batch_id: int, block_id: bytes) -> bool:
    """Record the block about to be posted (first submission or a reissue of the same payload); commits before
    the block is posted, so the block id is never lost. False when the batch is settled already."""
    batch = _batch(session, batch_id, ("signed", "submitted"))
    if batch is None:
        return False
    first = batch.state == "signed"
    batch.state = "submitted"
    batch.block_id = hex_from_bytes(block_id)
    batch.attempt += 1
    batch.submitted_at = now_ms()
    batch.updated_at = batch.submitted_at
    for w in _withdrawals(session, batch_id):
        if first:
            book.set_state(session, w, "submitted", block_id=batch.block_id, transaction_id=batch.transaction_id)
        else:
            w.block_id = batch.block_id
    _event(session, batch, "submitted" if first else "reissued", attempt=batch.attempt)
    session.commit()
    return True


def _hot_outputs(
    session: Session, batch: Batch, payload: TransactionPayload, *, milestone: int, coin: int, hot_account: int
) -> None:
    hot = {h.address_hash: h for h in session.scalars(select(HotAddress))}
    tx_id = payload.transaction_id()
    for index, out in enumerate(payload.essence.outputs):
        if not isinstance(out, BasicOutput) or len(out.unlock_conditions) != 1:
            continue
        uc = out.unlock_conditions[0]
        if not isinstance(uc, AddressUnlockCondition) or not isinstance(uc.address, Ed25519Address):
            continue
        row = hot.get(uc.address.pub_key_hash)
        if row is None:
            continue
        outputs.add_output(
            session,
            hex_from_bytes(tx_id + index.to_bytes(2, "little")),
            out,
            chain=Bip44(coin, hot_account, 0, row.address_index),
            address_hash=row.address_hash,
            origin="hot",
            milestone=milestone,
            created_by=batch.id,
        )


def confirm(
    session: Session, batch_id: int, *, block_id: bytes, milestone: int, coin_type: int, hot_account: int
) -> bool:
    """The batch's transaction is included at ``milestone`` in ``block_id``: spend its inputs, record its hot
    outputs, pay its withdrawals, run the kind's hook; commits. False when it was settled already."""
    batch = _batch(session, batch_id, ("signed", "submitted"))
    if batch is None:
        return False
    assert batch.payload is not None
    payload = TransactionPayload.from_bytes(batch.payload)
    batch.state = "confirmed"
    batch.block_id = hex_from_bytes(block_id)
    batch.milestone = milestone
    batch.updated_at = now_ms()
    outputs.spend(session, batch.id, milestone)
    _hot_outputs(session, batch, payload, milestone=milestone, coin=coin_type, hot_account=hot_account)
    for w in _withdrawals(session, batch_id):
        book.pay(session, w)
        book.set_state(
            session,
            w,
            "confirmed",
            block_id=batch.block_id,
            transaction_id=batch.transaction_id,
            milestone=milestone,
        )
    hooks = _HOOKS.get(batch.kind)
    if hooks is not None and hooks.confirmed is not None:
        hooks.confirmed(session, batch)
    _event(session, batch, "confirmed")
    session.commit()
    return True


def mark_dead(session: Session, batch_id: int, spent_elsewhere: dict[str, str]) -> bool:
    """The batch can never be included: ``spent_elsewhere`` maps each input consumed by another transaction to
    that transaction's id (non-empty: the proof). Its withdrawals go back to ``queued``; commits."""
    if not spent_elsewhere:
        raise ValueError("a batch is dead only when an input was consumed by another transaction")
    batch = _batch(session, batch_id, ("signed", "submitted"))
    if batch is None:
        return False
    batch.state = "dead"
    batch.reason = "input consumed by another transaction: " + json.dumps(spent_elsewhere, sort_keys=True)
    batch.updated_at = now_ms()
    outputs.release(session, batch.id, keep_spent=list(spent_elsewhere))
    for w in _withdrawals(session, batch_id):
        book.set_state(session, w, "queued", batch_id=None, transaction_id=None, block_id=None)
    hooks = _HOOKS.get(batch.kind)
    if hooks is not None and hooks.dead is not None:
        hooks.dead(session, batch)
    _event(session, batch, "dead", spentBy=spent_elsewhere)
    session.commit()
    return True


def new_signing_attempt(session: Session, batch_id: int) -> bool:
    """Give a ``building`` batch's stored request the next request id (``batch-<id>-<n+1>``), body unchanged;
    commits. Used when the signer refused for a reason that may pass later (it could not yet prove an earlier
    transaction of a withdrawal dead): the signer answers a request id always the same, so a retry needs a new
    id."""
    batch = _batch(session, batch_id, ("building",))
    if batch is None or batch.request is None:
        return False
    request = json.loads(batch.request)
    prefix, _, n = str(request["requestId"]).rpartition("-")
    request["requestId"] = f"{prefix}-{int(n) + 1}"
    batch.request = json.dumps(request, sort_keys=True, separators=(",", ":"))
    batch.updated_at = now_ms()
    session.commit()
    return True


def mark_refused(session: Session, batch_id: int, reason_code: str, detail: str) -> bool:
    """The signer refused the batch's request (nothing signed): release the inputs; one withdrawal fails
    (refunded) with ``reason_code``, several are retried one by one; commits."""
    batch = _batch(session, batch_id, ("building",))
    if batch is None:
        return False
    batch.state = "refused"
    batch.reason = f"{reason_code}: {detail}"
    batch.updated_at = now_ms()
    outputs.release(session, batch.id)
    carried = _withdrawals(session, batch_id)
    for w in carried:
        if len(carried) == 1:
            book.refund(session, w)
            book.set_state(
                session,
                w,
                "failed",
                batch_id=None,
                transaction_id=None,
                reason=f"the signer refused: {detail}",
                reason_code=reason_code,
            )
        else:
            book.set_state(session, w, "queued", batch_id=None, solo=True)
    hooks = _HOOKS.get(batch.kind)
    if hooks is not None and hooks.refused is not None:
        hooks.refused(session, batch)
    _event(session, batch, "refused", reason=reason_code)
    session.commit()
    return True
