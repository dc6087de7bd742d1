"""Sweeps: credited deposit outputs consolidated into a hub hot address, by a policy on count and age.

:func:`build_sweep` (called by the treasury worker, one sweep in flight at a time) takes the write lock and
looks at the unspent ``hub_outputs`` of origin ``deposit`` (credited deposits; uncreditable ones never enter
that table): when at least ``settings.sweep_min_outputs`` wait, or the oldest waited ``settings.sweep_max_age``
seconds, the oldest ``settings.sweep_max_inputs`` (at most 128) become the inputs of one batch of kind
``sweep`` paying their whole amount to hot address 0 (no remainder: the consumed outputs are exactly the
mandatory ones). The batcher signs, submits and tracks it like any batch (the signer accepts it because hot
address 0 is one it derived). On confirmation (:func:`on_confirmed`, run inside the confirming transaction)
every consumed deposit gets a ``deposit.swept`` event and the batch a ``sweep.confirmed`` event; the new hot
output is recorded by the pipeline itself. A refused or dead sweep gives its inputs back (the pipeline does),
with a ``sweep.refused`` / ``sweep.dead`` event; the next round may try again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.payout import Batch, HubOutput
from tanglehub.hub.models.user import User
from tanglehub.hub.outputs import service as outputs
from tanglehub.hub.payouts.build import BuildParams, build_batch
from tanglehub.hub.settings import HubSettings
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput

__all__ = ["IN_FLIGHT", "SweepPlan", "build_sweep", "on_confirmed", "on_dead", "on_refused", "plan_sweep", "swept"]

IN_FLIGHT = ("building", "signed", "submitted")
"""Batch states of a transaction not settled yet."""


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """The deposit outputs (0x ids, oldest first) a sweep would consume and their total (base units)."""

    output_ids: list[str]
    total: int


def _in_flight(session: Session, kind: str) -> bool:
    found = session.scalar(select(Batch.id).where(Batch.kind == kind, Batch.state.in_(IN_FLIGHT)).limit(1))
    return found is not None


def plan_sweep(session: Session, settings: HubSettings, now: int) -> SweepPlan | None:
    """The sweep the policy asks for now (``now`` in Unix ms), or None: nothing waits, too few and too young,
    or a sweep is in flight already."""
    if _in_flight(session, "sweep"):
        return None
    waiting, oldest = session.execute(
        select(func.count(HubOutput.output_id), func.min(HubOutput.created_at)).where(
            HubOutput.origin == "deposit", HubOutput.state == "unspent"
        )
    ).one()
    if not waiting:
        return None
    old_enough = oldest is not None and now - int(oldest) >= settings.sweep_max_age * 1000
    if int(waiting) < settings.sweep_min_outputs and not old_enough:
        return None
    rows = session.execute(
        select(HubOutput.output_id, HubOutput.amount)
        .where(HubOutput.origin == "deposit", HubOutput.state == "unspent")
        .order_by(HubOutput.created_at, HubOutput.output_id)
        .limit(settings.sweep_max_inputs)
    ).all()
    return SweepPlan([r[0] for r in rows], sum(int(r[1]) for r in rows))


def build_sweep(session: Session, settings: HubSettings, params: BuildParams, now_s: int) -> Batch | None:
    """Build the sweep the policy asks for (see the module docstring); commits and returns the batch, or
    returns None (rolled back) when none is due or hot address 0 does not exist yet."""
    lock_writes(session)
    plan = plan_sweep(session, settings, now_ms())
    hot = outputs.hot_address(session, 0)
    if plan is None or hot is None:
        session.rollback()
        return None
    target = Ed25519Address(hot.address_hash)
    batch = build_batch(
        session,
        "sweep",
        [BasicOutput(plan.total, (AddressUnlockCondition(target),))],
        justification={"kind": "sweep"},
        params=params,
        now=now_s,
        coin_type=settings.coin_type,
        remainder_address=target,
        mandatory=plan.output_ids,
        exact=True,
        note={"outputs": plan.output_ids, "amount": str(plan.total), "to": hot.bech32},
    )
    append_event(
        session,
        "sweep.started",
        {"batchId": str(batch.id), "outputs": len(plan.output_ids), "amount": str(plan.total), "to": hot.bech32},
    )
    session.commit()
    return batch


def _note(batch: Batch) -> dict[str, object]:
    return dict(json.loads(batch.justification)) if batch.justification else {}


def on_confirmed(session: Session, batch: Batch) -> None:
    """Confirm hook (inside the confirming transaction): a ``deposit.swept`` event per consumed deposit."""
    note = _note(batch)
    ids = [str(i) for i in note.get("outputs", [])]  # type: ignore[attr-defined]
    deposits = {d.output_id: d for d in session.scalars(select(Deposit).where(Deposit.output_id.in_(ids)))}
    users = {
        u.id: u.external_id
        for u in session.scalars(select(User).where(User.id.in_({d.user_id for d in deposits.values()})))
    }
    for oid in ids:
        d = deposits.get(oid)
        append_event(
            session,
            "deposit.swept",
            {
                "outputId": oid,
                "userId": None if d is None or d.user_id is None else users.get(d.user_id),
                "amount": None if d is None else str(d.amount),
                "batchId": str(batch.id),
                "transactionId": batch.transaction_id,
                "milestone": batch.milestone,
            },
        )
    append_event(
        session,
        "sweep.confirmed",
        {
            "batchId": str(batch.id),
            "outputs": len(ids),
            "amount": note.get("amount"),
            "to": note.get("to"),
            "transactionId": batch.transaction_id,
            "milestone": batch.milestone,
        },
    )


def on_dead(session: Session, batch: Batch) -> None:
    """Dead hook: a ``sweep.dead`` event (the pipeline released the inputs not consumed elsewhere)."""
    append_event(session, "sweep.dead", {"batchId": str(batch.id), "reason": batch.reason})


def on_refused(session: Session, batch: Batch) -> None:
    """Refused hook: a ``sweep.refused`` event with the signer's reason."""
    append_event(session, "sweep.refused", {"batchId": str(batch.id), "reason": batch.reason})


def swept(session: Session, after: int = 0, limit: int = 100) -> list[Batch]:
    """Sweep batches (any state) with id above ``after``, oldest first."""
    return list(
        session.scalars(
            select(Batch).where(Batch.kind == "sweep", Batch.id > after).order_by(Batch.id).limit(limit)
        )
    )
