"""The withdrawal's ledger entries and state events; each runs in the caller's write transaction.

* debit (on request): ``user -amount``, ``hub:withdrawals_pending +amount`` (reference ``withdrawal:<id>``);
* pay (its transaction confirmed): ``hub:withdrawals_pending -amount``, ``hub:withdrawals_paid +amount``
  (reference ``withdrawal-paid:<id>``);
* refund (cancelled or failed): ``hub:withdrawals_pending -amount``, ``user +amount`` (reference
  ``withdrawal-refund:<id>``).

Journal references are unique in the database, so a withdrawal can be paid at most once and refunded at most
once whatever the code path; :func:`set_state` appends the ``withdrawal.<state>`` event of every change.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tanglehub.hub.db import now_ms
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.payout import Withdrawal
from tanglehub.hub.models.user import User

__all__ = ["PAID_ACCOUNT", "PENDING_ACCOUNT", "debit", "pay", "public_event", "refund", "set_state"]

PENDING_ACCOUNT = "hub:withdrawals_pending"
"""What users asked to withdraw and the hub has not paid on the ledger yet."""
PAID_ACCOUNT = "hub:withdrawals_paid"
"""Everything paid out by confirmed withdrawal transactions."""


def public_event(session: Session, w: Withdrawal) -> dict[str, object]:
    """The event body of ``w``: ids, user, address, amount, state and the chain facts known so far."""
    user = session.get(User, w.user_id)
    return {
        "withdrawalId": str(w.id),
        "userId": user.external_id if user else str(w.user_id),
        "address": w.address,
        "amount": str(w.amount),
        "state": w.state,
        "reason": w.reason,
        "reasonCode": w.reason_code,
        "transactionId": w.transaction_id,
        "blockId": w.block_id,
        "milestone": w.milestone,
        "internal": w.internal,
    }


def set_state(session: Session, w: Withdrawal, state: str, **fields: object) -> None:
    """Move ``w`` to ``state`` (setting ``fields`` too) and append the ``withdrawal.<state>`` event."""
    w.state = state
    for name, value in fields.items():
        setattr(w, name, value)
    w.updated_at = now_ms()
    session.flush()
    append_event(session, f"withdrawal.{state}", public_event(session, w))


def debit(session: Session, w: Withdrawal) -> None:
    """Take the amount from the user into pending withdrawals (the database refuses a negative balance)."""
    ledger.post(
        session,
        "withdrawal",
        f"withdrawal:{w.id}",
        [(ledger.user_account(w.user_id), -w.amount), (PENDING_ACCOUNT, w.amount)],
    )


def pay(session: Session, w: Withdrawal) -> None:
    """Book the confirmed payment of ``w`` (pending -> paid)."""
    ledger.post(
        session,
        "withdrawal_paid",
        f"withdrawal-paid:{w.id}",
        [(PENDING_ACCOUNT, -w.amount), (PAID_ACCOUNT, w.amount)],
    )


def refund(session: Session, w: Withdrawal) -> None:
    """Give ``w``'s amount back to its user (pending -> user)."""
    ledger.post(
        session,
        "withdrawal_refund",
        f"withdrawal-refund:{w.id}",
        [(PENDING_ACCOUNT, -w.amount), (ledger.user_account(w.user_id), w.amount)],
    )
