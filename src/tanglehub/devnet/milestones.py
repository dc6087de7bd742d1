"""Milestone issuing: timestamps, white-flag confirmation of the unreferenced cone, Merkle roots, signing.

A milestone confirms the unreferenced past cone of the current tips in white-flag order (TIP-2). Each
transaction is checked against the ledger as it stands at that point of the order (codes 1-3 from the
ledger, the rest from :func:`tanglehub.protocol.semantic.verify_transaction` at the milestone timestamp); the
first spender wins. The milestone payload (TIP-29) carries the inclusion and applied Merkle roots (TIP-4) and
one Ed25519 signature of the coordinator key over the essence hash; its block has nonce 0.

Timestamps strictly increase and follow the wall clock: the next one is ``max(now, previous + 1)``, and when
milestones are issued faster than one per second the lead over the wall clock is capped at
:data:`MAX_LEAD` seconds (the issuer waits instead of drifting further ahead).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tanglehub.devnet.ledger import Ledger, OutputRecord
from tanglehub.devnet.tangle import CONFLICTING, INCLUDED, NO_TRANSACTION, BlockRecord
from tanglehub.keys.ed25519 import sign
from tanglehub.protocol.block import PROTOCOL_VERSION, Block
from tanglehub.protocol.ids import output_id
from tanglehub.protocol.merkle import merkle_root
from tanglehub.protocol.output import Output
from tanglehub.protocol.payload import MilestoneEssence, MilestonePayload, TransactionPayload
from tanglehub.protocol.semantic import ConflictReason, verify_transaction
from tanglehub.protocol.unlock import Ed25519Signature

__all__ = ["MAX_LEAD", "Confirmation", "build_milestone_block", "confirm_cone", "next_timestamp", "wait_before"]

MAX_LEAD = 2
"""How many seconds a milestone timestamp may run ahead of the wall clock."""


def next_timestamp(previous: int, now: float) -> int:
    """The timestamp of the next milestone: the wall clock, but always after ``previous``."""
    return max(int(now), previous + 1)


def wait_before(previous: int, now: float) -> float:
    """Seconds to wait before the next milestone so its timestamp stays within :data:`MAX_LEAD` of ``now``."""
    return max(0.0, float(previous + 1 - MAX_LEAD) - now)


@dataclass(slots=True)
class Confirmation:
    """What confirming one cone changed."""

    referenced: list[BlockRecord] = field(default_factory=list)
    applied: list[bytes] = field(default_factory=list)
    created: list[OutputRecord] = field(default_factory=list)
    consumed: list[tuple[bytes, bytes]] = field(default_factory=list)
    included: list[tuple[bytes, bytes]] = field(default_factory=list)
    conflicts: int = 0


def _resolve_inputs(
    payload: TransactionPayload,
    ledger: Ledger,
    created_now: dict[bytes, OutputRecord],
    consumed_now: set[bytes],
) -> tuple[ConflictReason, list[Output]]:
    inputs: list[Output] = []
    for utxo in payload.essence.inputs:
        oid = utxo.output_id
        if oid in consumed_now:
            return ConflictReason.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE, inputs
        rec = created_now.get(oid) or ledger.get(oid)
        if rec is None:
            return ConflictReason.INPUT_UTXO_NOT_FOUND, inputs
        if rec.spent is not None:
            return ConflictReason.INPUT_UTXO_ALREADY_SPENT, inputs
        inputs.append(rec.output)
    return ConflictReason.NONE, inputs


def confirm_cone(order: list[BlockRecord], ledger: Ledger, index: int, timestamp: int) -> Confirmation:
    """Mark ``order`` (white-flag order) referenced by milestone ``index`` and work out the ledger changes.

    The ledger itself is not changed here; the caller books the result with :meth:`Ledger.apply`.
    """
    result = Confirmation()
    created_now: dict[bytes, OutputRecord] = {}
    consumed_now: set[bytes] = set()
    applied_now: set[bytes] = set()
    for wf_index, rec in enumerate(order):
        rec.referenced_by = index
        rec.white_flag_index = wf_index
        result.referenced.append(rec)
        payload = rec.block.payload
        if not isinstance(payload, TransactionPayload):
            rec.inclusion_state = NO_TRANSACTION
            continue
        tx_id = payload.transaction_id()
        if tx_id in ledger.included or tx_id in applied_now:
            reason = ConflictReason.INPUT_UTXO_ALREADY_SPENT
        else:
            reason, inputs = _resolve_inputs(payload, ledger, created_now, consumed_now)
            if reason is ConflictReason.NONE:
                reason = verify_transaction(payload, inputs, timestamp)
        if reason is not ConflictReason.NONE:
            rec.inclusion_state = CONFLICTING
            rec.conflict_reason = int(reason)
            result.conflicts += 1
            continue
        rec.inclusion_state = INCLUDED
        rec.conflict_reason = 0
        result.applied.append(rec.block_id)
        result.included.append((tx_id, rec.block_id))
        applied_now.add(tx_id)
        for utxo in payload.essence.inputs:
            oid = utxo.output_id
            consumed_now.add(oid)
            result.consumed.append((oid, tx_id))
        for i, out in enumerate(payload.essence.outputs):
            oid = output_id(tx_id, i)
            new = OutputRecord(oid, out, rec.block_id, index, timestamp)
            created_now[oid] = new
            result.created.append(new)
    # An output created and spent within the same milestone is booked as created, then consumed.
    return result


def build_milestone_block(
    *,
    index: int,
    timestamp: int,
    previous_milestone_id: bytes,
    parents: tuple[bytes, ...],
    confirmation: Confirmation,
    coordinator_private: bytes,
    coordinator_public: bytes,
) -> Block:
    """Build and sign the block carrying milestone ``index`` (nonce 0, same parents as the essence)."""
    essence = MilestoneEssence(
        index=index,
        timestamp=timestamp,
        protocol_version=PROTOCOL_VERSION,
        previous_milestone_id=previous_milestone_id,
        parents=parents,
        inclusion_merkle_root=merkle_root([r.block_id for r in confirmation.referenced]),
        applied_merkle_root=merkle_root(confirmation.applied),
    )
    signature = sign(coordinator_private, essence.hash())
    payload = MilestonePayload(essence, (Ed25519Signature(coordinator_public, signature),))
    return Block(PROTOCOL_VERSION, parents, payload, 0)
