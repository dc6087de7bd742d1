"""Moving one batch forward against the signer and the node: sign, submit, track, reissue, prove dead.

:func:`advance` looks at the batch's stored state and does the next step, so a restarted process (or a
standby that took over) resumes every in-flight batch from the database:

* ``building``: send the stored request (same id, same body) to the signer; store the signed payload after the
  protocol's semantic check (:func:`.settle.mark_signed`). A refusal settles the batch
  (:func:`.settle.mark_refused`), except ``ALREADY_SIGNED`` (the signer could not yet prove an earlier
  transaction dead), which is asked again under a new request id; an unreachable signer leaves it for the next
  round.
* ``signed``: build a block on the node's tips, store its id (:func:`.settle.mark_submitted`), then post it.
* ``submitted``: when the node names the block that included the transaction, confirm it. Otherwise, once the
  block is lost, conflicting, marked for reattachment or older than ``reissue_after``: read the metadata of
  every input; if one was consumed by a *different* transaction the batch is dead (the only proof accepted);
  if none was, the same payload is posted again in a new block (same transaction id: the ledger can include
  it only once). A block of ours marked conflicting proves nothing by itself: when another block with the
  same transaction was included, the included-block lookup finds it and the batch is confirmed.

Node errors (5xx, dropped connections) leave the batch as it is; the next round tries again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from tanglehub.hub.db import now_ms
from tanglehub.hub.models.payout import Batch
from tanglehub.hub.payouts import settle
from tanglehub.hub.payouts.build import SignsTransactions
from tanglehub.node import NodePool
from tanglehub.node.errors import NodeError, NodeNotFound
from tanglehub.node.models import LedgerInclusionState
from tanglehub.protocol.block import MAX_PARENTS, Block
from tanglehub.protocol.jsonutil import hex_from_bytes
from tanglehub.protocol.output import output_from_json
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.pow import find_nonce
from tanglehub.protocol.semantic import ConflictReason, verify_transaction
from tanglehub.signer.errors import RefusalReason, SignerRequestError, SignerUnavailable, SigningRefused

__all__ = ["DriverConfig", "advance"]

log = logging.getLogger("tanglehub.hub.payouts")


@dataclass(frozen=True, slots=True)
class DriverConfig:
    """What :func:`advance` needs besides the batch: database, node, signer and a few settings."""

    sessions: sessionmaker[Session]
    node: NodePool
    signer: SignsTransactions
    coin_type: int
    hot_account: int
    reissue_after: float
    protocol_version: int = 2
    min_pow_score: int = 0


def _load(cfg: DriverConfig, batch_id: int) -> Batch | None:
    with cfg.sessions() as session:
        return session.get(Batch, batch_id)


def _run(cfg: DriverConfig, fn: object, *args: object) -> bool:
    with cfg.sessions() as session:
        return bool(fn(session, *args))  # type: ignore[operator]


async def _sign(cfg: DriverConfig, batch: Batch) -> None:
    assert batch.request is not None
    request = json.loads(batch.request)
    try:
        answer = await cfg.signer.sign(request)
    except SigningRefused as refusal:
        if refusal.reason is RefusalReason.ALREADY_SIGNED:
            # the hub re-batches a withdrawal only after proving its earlier transaction dead; the signer could
            # not prove it yet (its node lookup failed): ask again under a new request id, never fail for it
            log.warning("batch %d: the signer cannot prove the earlier transaction dead yet; retrying", batch.id)
            await asyncio.to_thread(_run, cfg, settle.new_signing_attempt, batch.id)
            return
        log.warning("batch %d refused by the signer: %s", batch.id, refusal.reason.value)
        await asyncio.to_thread(_run, cfg, settle.mark_refused, batch.id, refusal.reason.value, refusal.detail)
        return
    except SignerRequestError as exc:
        await asyncio.to_thread(_run, cfg, settle.mark_refused, batch.id, "REQUEST_INVALID", exc.message)
        return
    except SignerUnavailable as exc:
        log.warning("batch %d: signer unavailable (%s); retrying", batch.id, exc.message)
        return
    payload = TransactionPayload.from_json(answer["payload"], "payload")  # type: ignore[arg-type]
    consumed = [output_from_json(i["output"]) for i in request["inputs"]]
    reason = verify_transaction(payload, consumed, int(request["timestamp"]))
    if reason is not ConflictReason.NONE or payload.essence.to_json() != request["essence"]:
        detail = f"the signed payload fails the semantic check ({reason.name}) or is not the requested essence"
        await asyncio.to_thread(_run, cfg, settle.mark_refused, batch.id, "SEMANTICALLY_INVALID", detail)
        return
    await asyncio.to_thread(_run, cfg, settle.mark_signed, batch.id, payload)


async def _block(cfg: DriverConfig, payload: TransactionPayload, avoid: str | None) -> Block:
    tips = await cfg.node.get_tips()
    parents = tuple(sorted(set(tips)))[:MAX_PARENTS]
    start = 0
    while True:
        block = Block(cfg.protocol_version, parents, payload, start)
        if cfg.min_pow_score > 0:
            nonce = await asyncio.to_thread(
                find_nonce, block.bytes_without_nonce(), float(cfg.min_pow_score), start=start
            )
            block = Block(cfg.protocol_version, parents, payload, nonce)
        if avoid is None or hex_from_bytes(block.block_id()) != avoid:
            return block
        start = block.nonce + 1


async def _submit(cfg: DriverConfig, batch: Batch, avoid: str | None) -> None:
    assert batch.payload is not None
    payload = TransactionPayload.from_bytes(batch.payload)
    try:
        block = await _block(cfg, payload, avoid)
    except NodeError as exc:
        log.warning("batch %d: cannot read tips (%s)", batch.id, exc.message)
        return
    if not await asyncio.to_thread(_run, cfg, settle.mark_submitted, batch.id, block.block_id()):
        return
    try:
        await cfg.node.post_block(block)
    except NodeError as exc:  # tracked and reissued later
        log.warning("batch %d: posting block failed (%s)", batch.id, exc.message)


async def _spent_elsewhere(cfg: DriverConfig, batch: Batch) -> dict[str, str] | None:
    """Inputs consumed by another transaction (None if the node could not say for every input, or if one was
    consumed by this very transaction: then it is included and the next round confirms it)."""
    assert batch.request is not None
    assert batch.transaction_id is not None
    inputs = [i["outputId"] for i in json.loads(batch.request)["inputs"]]
    out: dict[str, str] = {}
    for oid in inputs:
        try:
            meta = await cfg.node.get_output_metadata(oid)
        except NodeError:
            return None
        if meta.is_spent and meta.transaction_id_spent is not None:
            spender = hex_from_bytes(meta.transaction_id_spent)
            if spender == batch.transaction_id:
                return None
            out[oid] = spender
    return out


async def _track(cfg: DriverConfig, batch: Batch) -> None:
    assert batch.transaction_id is not None
    try:
        included = await cfg.node.get_included_block_metadata(batch.transaction_id)
    except NodeNotFound:
        included = None
    except NodeError:
        return
    if (
        included is not None
        and included.ledger_inclusion_state is LedgerInclusionState.INCLUDED
        and included.referenced_by_milestone_index is not None
    ):
        await asyncio.to_thread(
            _run_confirm, cfg, batch.id, included.block_id, included.referenced_by_milestone_index
        )
        return
    stale = batch.submitted_at is None or now_ms() - batch.submitted_at >= cfg.reissue_after * 1000
    if not stale and batch.block_id is not None:
        try:
            meta = await cfg.node.get_block_metadata(batch.block_id)
            stale = bool(meta.should_reattach) or meta.ledger_inclusion_state is not None
        except NodeNotFound:
            stale = True
        except NodeError:
            return
    if not stale:
        return
    spent = await _spent_elsewhere(cfg, batch)
    if spent is None:
        return
    if spent:
        log.warning("batch %d is dead: inputs consumed by another transaction %s", batch.id, spent)
        await asyncio.to_thread(_run, cfg, settle.mark_dead, batch.id, spent)
        return
    log.info("batch %d: reissuing transaction %s in a new block", batch.id, batch.transaction_id)
    await _submit(cfg, batch, batch.block_id)


def _run_confirm(cfg: DriverConfig, batch_id: int, block_id: bytes, milestone: int) -> bool:
    with cfg.sessions() as session:
        return settle.confirm(
            session,
            batch_id,
            block_id=block_id,
            milestone=milestone,
            coin_type=cfg.coin_type,
            hot_account=cfg.hot_account,
        )


async def advance(cfg: DriverConfig, batch_id: int) -> str | None:
    """Do the next step of batch ``batch_id`` (see the module docstring); returns the state it was in."""
    batch = await asyncio.to_thread(_load, cfg, batch_id)
    if batch is None:
        return None
    if batch.state == "building":
        await _sign(cfg, batch)
    elif batch.state == "signed":
        await _submit(cfg, batch, None)
    elif batch.state == "submitted":
        await _track(cfg, batch)
    return batch.state
