"""Turning queued withdrawals into batches, in order, as far as the hub's unspent outputs reach.

:func:`build_withdrawal_batches` takes the write lock, reads the oldest ``queued`` withdrawals and builds up to
``slots`` batches of at most ``batch_max`` each (a withdrawal marked ``solo`` after a refused batch goes alone,
so a refusal names it). When the outputs cannot pay a whole group, smaller prefixes are tried; when not even
the oldest withdrawal can be paid, building stops there (nothing behind it jumps the queue, nothing is dropped
or failed): the hub is short of hot funds, recorded in the ``scanner_state`` row ``payouts_short`` (the amount
the oldest waiting withdrawal needs, 0 when not short) with a ``payouts.short_funds`` /
``payouts.funds_available`` event on each change. The event's ``reason`` and the waiting withdrawal's
``reason`` say why: :data:`SHORT_FUNDS`, or :data:`REMAINDER_TOO_SMALL` when the hot wallet holds the amount
but the rest would be below a remainder output's storage deposit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.models.cursor import ScannerState
from tanglehub.hub.models.payout import Withdrawal
from tanglehub.hub.models.user import User
from tanglehub.hub.outputs import service as outputs
from tanglehub.hub.payouts.build import BuildParams, build_batch
from tanglehub.hub.withdrawals import book
from tanglehub.protocol.address import address_from_bech32
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.wallet.operations.transaction.errors import InsufficientFundsError, TooManyInputsError

__all__ = [
    "REMAINDER_TOO_SMALL",
    "SHORT_FUNDS",
    "SHORT_STATE",
    "BuildOutcome",
    "build_withdrawal_batches",
    "queue_status",
    "read_short",
    "withdrawal_counts",
]

SHORT_STATE = "payouts_short"
SHORT_FUNDS = "short funds"
"""Waiting reason: the hot wallet holds less than the withdrawal."""
REMAINDER_TOO_SMALL = "remainder below storage deposit"
"""Waiting reason: the hot wallet holds the amount, but what would be left over is below the storage deposit of a
remainder output (and it cannot be paid exactly either)."""


@dataclass(slots=True)
class BuildOutcome:
    """Batches built (ids) and, when the oldest queued withdrawal could not be paid, the amount it needs."""

    batches: list[int] = field(default_factory=list)
    short: int = 0
    short_reason: str = ""
    """Why the oldest withdrawal waits: :data:`SHORT_FUNDS` or :data:`REMAINDER_TOO_SMALL` ("" when not short)."""


def queue_status(session: Session) -> tuple[int, int | None]:
    """(queued withdrawals, created_at of the oldest one in Unix ms or None)."""
    count, oldest = session.execute(
        select(func.count(Withdrawal.id), func.min(Withdrawal.created_at)).where(Withdrawal.state == "queued")
    ).one()
    return int(count or 0), None if oldest is None else int(oldest)


def withdrawal_counts(session: Session) -> dict[str, int]:
    """Withdrawals per state."""
    rows = session.execute(select(Withdrawal.state, func.count(Withdrawal.id)).group_by(Withdrawal.state))
    return {s: int(n) for s, n in rows}


def read_short(session: Session) -> int:
    """The amount the oldest waiting withdrawal needs while hot funds are short (0 when not short)."""
    return int(session.scalar(select(ScannerState.value).where(ScannerState.name == SHORT_STATE)) or 0)


def _set_short(session: Session, amount: int, queued: int, reason: str = "") -> None:
    row = session.get(ScannerState, SHORT_STATE)
    before = 0 if row is None else row.value
    if before == amount:
        return
    if row is None:
        session.add(ScannerState(name=SHORT_STATE, value=amount, updated_at=now_ms()))
    else:
        row.value = amount
        row.updated_at = now_ms()
    if amount > 0 and before == 0:
        append_event(session, "payouts.short_funds", {"needed": str(amount), "queued": queued, "reason": reason})
    elif amount == 0 and before > 0:
        append_event(session, "payouts.funds_available", {"queued": queued})


def _groups(queued: list[Withdrawal], batch_max: int) -> list[list[Withdrawal]]:
    groups: list[list[Withdrawal]] = []
    current: list[Withdrawal] = []
    for w in queued:
        if w.solo:
            if current:
                groups.append(current)
                current = []
            groups.append([w])
            continue
        current.append(w)
        if len(current) >= batch_max:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def build_withdrawal_batches(
    session: Session,
    *,
    params: BuildParams,
    now: int,
    coin_type: int,
    hrp: str,
    batch_max: int,
    slots: int,
    in_flight: int = 0,
) -> BuildOutcome:
    """Build up to ``slots`` withdrawal batches from the queue (see the module docstring); commits. With
    ``in_flight`` batches unconfirmed, a group that cannot be paid waits for their remainders and does not
    count as short."""
    outcome = BuildOutcome()
    if slots <= 0:
        return outcome
    lock_writes(session)
    hot = outputs.hot_address(session, 0)
    if hot is None:
        session.rollback()
        return outcome
    remainder = address_from_bech32(hot.bech32, hrp)
    queued = list(
        session.scalars(
            select(Withdrawal).where(Withdrawal.state == "queued").order_by(Withdrawal.id).limit(batch_max * slots)
        )
    )
    names = {
        u.id: u.external_id for u in session.scalars(select(User).where(User.id.in_({w.user_id for w in queued})))
    }
    for group in _groups(queued, max(1, min(batch_max, 127))):
        if len(outcome.batches) >= slots:
            break
        size = len(group)
        failure: Exception | None = None
        while size > 0:
            part = group[:size]
            outs = [
                BasicOutput(w.amount, (AddressUnlockCondition(address_from_bech32(w.address, hrp)),)) for w in part
            ]
            justification = {
                "kind": "withdrawals",
                "withdrawals": [
                    {
                        "userId": names[w.user_id],
                        "address": w.address,
                        "amount": str(w.amount),
                        "idempotencyKey": w.idempotency_key,
                    }
                    | ({} if w.authorization is None else {"authorization": w.authorization})
                    for w in part
                ],
            }
            try:
                batch = build_batch(
                    session,
                    "withdrawals",
                    outs,
                    justification=justification,
                    params=params,
                    now=now,
                    coin_type=coin_type,
                    remainder_address=remainder,
                )
            except (InsufficientFundsError, TooManyInputsError) as exc:
                failure = exc
                size //= 2
                continue
            for w in part:
                book.set_state(session, w, "signing", batch_id=batch.id, reason=None)
            outcome.batches.append(batch.id)
            break
        if size == 0:
            if in_flight == 0 and not outcome.batches:
                oldest = group[0]
                outcome.short = oldest.amount
                outcome.short_reason = SHORT_FUNDS
                if isinstance(failure, InsufficientFundsError) and failure.available >= oldest.amount:
                    outcome.short_reason = REMAINDER_TOO_SMALL
                    why = (
                        f"waiting: {REMAINDER_TOO_SMALL} (the hot wallet holds {failure.available}; paying "
                        f"{oldest.amount} would leave less than the storage deposit of a remainder output)"
                    )
                else:
                    why = f"waiting: {SHORT_FUNDS} (the hot wallet cannot pay {oldest.amount} now)"
                if oldest.reason != why:
                    oldest.reason = why
                    oldest.updated_at = now_ms()
            break
    _set_short(session, outcome.short, len(queued), outcome.short_reason)
    session.commit()
    return outcome
