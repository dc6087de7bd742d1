"""Internal transfers (trades): a batch of (user, signed amount) summing to zero, applied atomically and
idempotently by key, booked as one journal transaction with a ``transfer.applied`` event.

Checks, each with a clear error: an empty batch or a zero amount, a user twice in one batch, legs not summing
to zero (:class:`InvalidTransfer`); an unknown user (:class:`UserNotFound`); a debit larger than the user's
available balance (:class:`InsufficientBalance`, also enforced by the database's CHECK constraint); the key
reused with different legs (:class:`IdempotencyConflict`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.errors import IdempotencyConflict, InsufficientBalance, InvalidTransfer, UserNotFound
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.transfer import Transfer
from tanglehub.hub.transfers import repository
from tanglehub.hub.users import repository as users

__all__ = ["AppliedTransfer", "apply_transfer", "check_legs"]


@dataclass(frozen=True, slots=True)
class AppliedTransfer:
    """The result of :func:`apply_transfer`: legs as (userId, amount), journal id, time, applied by this call."""

    idempotency_key: str
    legs: list[tuple[str, int]]
    journal_id: int
    created_at: int
    applied_now: bool


def check_legs(legs: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The legs if they form a valid batch, else :class:`InvalidTransfer` saying what is wrong."""
    if not legs:
        raise InvalidTransfer("a transfer needs at least two legs; this one has none")
    seen: set[str] = set()
    for user_id, amount in legs:
        if amount == 0:
            raise InvalidTransfer(f"the leg of user {user_id!r} moves zero; every leg must move a non-zero amount")
        if user_id in seen:
            raise InvalidTransfer(f"user {user_id!r} appears twice in one transfer; merge the legs")
        seen.add(user_id)
    total = sum(a for _, a in legs)
    if total != 0:
        raise InvalidTransfer(f"the legs sum to {total}, not zero; debits and credits must balance")
    return list(legs)


def _request_hash(legs: Sequence[tuple[str, int]]) -> str:
    canonical = json.dumps(sorted([u, str(a)] for u, a in legs))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(row: Transfer, request_hash: str) -> AppliedTransfer:
    if row.request_hash != request_hash:
        raise IdempotencyConflict(
            f"idempotency key {row.idempotency_key!r} was already used for a different transfer; use a new key"
        )
    legs = [(u, int(a)) for u, a in json.loads(row.legs)]
    return AppliedTransfer(row.idempotency_key, legs, row.journal_tx_id, row.created_at, applied_now=False)


def apply_transfer(session: Session, key: str, legs: Sequence[tuple[str, int]]) -> AppliedTransfer:
    """Apply the transfer ``legs`` under idempotency key ``key`` and commit (see the module docstring)."""
    checked = check_legs(legs)
    request_hash = _request_hash(checked)
    lock_writes(session)
    existing = repository.by_key(session, key)
    if existing is not None:
        session.rollback()
        return _replay(existing, request_hash)
    ids: dict[str, int] = {}
    for user_id, _ in checked:
        user = users.by_external_id(session, user_id)
        if user is None:
            session.rollback()
            raise UserNotFound(f"no user with id {user_id[:128]!r}")
        ids[user_id] = user.id
    balances = ledger.account_balances(session, [ledger.user_account(i) for i in ids.values()])
    for user_id, amount in checked:
        have = balances.get(ledger.user_account(ids[user_id]), 0)
        if have + amount < 0:
            session.rollback()
            raise InsufficientBalance(f"user {user_id!r} has {have} available, the transfer takes {-amount}")
    created = now_ms()
    try:
        journal_id = ledger.post(
            session, "transfer", f"transfer:{key}", [(ledger.user_account(ids[u]), a) for u, a in checked]
        )
        repository.insert(
            session,
            Transfer(
                idempotency_key=key,
                request_hash=request_hash,
                legs=json.dumps([[u, str(a)] for u, a in checked]),
                journal_tx_id=journal_id,
                created_at=created,
            ),
        )
        append_event(
            session,
            "transfer.applied",
            {"idempotencyKey": key, "legs": [{"userId": u, "amount": str(a)} for u, a in checked]},
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        again = repository.by_key(session, key)
        if again is not None:
            return _replay(again, request_hash)
        raise InsufficientBalance("a user's available balance would go below zero; nothing was applied") from exc
    return AppliedTransfer(key, checked, journal_id, created, applied_now=True)
