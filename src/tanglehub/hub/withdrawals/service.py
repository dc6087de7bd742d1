"""Withdrawal requests: validate, debit at once, idempotent by key; approve, cancel, read.

:func:`request_withdrawal` checks, each with its own error: the address is bech32 of the hub's network
(:class:`WithdrawalWrongNetwork` names the network it belongs to), the amount a positive integer string
(:class:`WithdrawalAmountInvalid`) at least the storage deposit of a Basic output to that address
(:class:`WithdrawalBelowMinimum` names the minimum) and at most the user's available balance
(:class:`InsufficientBalance`). In ONE database transaction it debits the user (user ->
``hub:withdrawals_pending``), inserts the row (``queued``, or ``awaiting_approval`` above
``settings.withdrawal_approval_threshold``) and appends the event. The same idempotency key with the same body
returns the first withdrawal; with another body it is :class:`IdempotencyConflict`. A withdrawal to one of the
hub's own assigned deposit addresses is settled at once as an internal transfer (state ``confirmed``,
``internal``: no transaction). Cancelling (``queued`` / ``awaiting_approval`` only) refunds exactly once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tanglehub.errors import TanglehubError
from tanglehub.hub.addresses import repository as addresses
from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.errors import HubArgumentError, IdempotencyConflict, InsufficientBalance, UserNotFound
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.payout import HotAddress, Withdrawal
from tanglehub.hub.models.user import User
from tanglehub.hub.users import repository as users
from tanglehub.hub.withdrawals import book
from tanglehub.hub.withdrawals.errors import (
    WithdrawalAddressInvalid,
    WithdrawalAmountInvalid,
    WithdrawalBelowMinimum,
    WithdrawalNotFound,
    WithdrawalStateConflict,
    WithdrawalWrongNetwork,
)
from tanglehub.keys.bech32 import decode_address
from tanglehub.protocol.address import Address, Ed25519Address, address_from_bech32
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.protocol.params import RentStructure
from tanglehub.protocol.rent import storage_deposit

__all__ = [
    "NETWORKS",
    "STATES",
    "WithdrawalRequest",
    "approve",
    "cancel",
    "get_withdrawal",
    "list_withdrawals",
    "minimum_amount",
    "parse_amount",
    "parse_destination",
    "request_withdrawal",
]

NETWORKS = {
    "iota": "the IOTA mainnet",
    "atoi": "the IOTA testnet",
    "smr": "the Shimmer mainnet",
    "rms": "the Shimmer testnet",
    "tst": "a local tanglehub devnet",
}
"""Known bech32 HRPs and the network each belongs to (named in wrong-network errors)."""
STATES = ("queued", "awaiting_approval", "signing", "submitted", "confirmed", "failed", "cancelled")
_U64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class WithdrawalRequest:
    """What the caller asked: user (external id), bech32 address, amount text, optional tag, metadata and
    authorization ("0x" + 128 hex: the exchange's Ed25519 signature, see :mod:`tanglehub.signer.authorization`)."""

    user_id: str
    address: str
    amount: str
    tag: str | None = None
    metadata: dict[str, object] | None = None
    authorization: str | None = None

    def request_hash(self) -> str:
        """SHA-256 over a canonical JSON of the normalized request (what the idempotency key is bound to): the
        address stripped and in lower case, the amount as its integer (leading zeros do not count), the
        authorization in lower case (left out when absent, so hashes of earlier requests stay valid)."""
        amount = self.amount.strip()
        if amount.isascii() and amount.isdigit() and len(amount) <= 40:
            amount = str(int(amount))
        body: list[object] = [self.user_id, self.address.strip().lower(), amount, self.tag, self.metadata]
        if self.authorization is not None:
            body.append(self.authorization.lower())
        return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def parse_destination(text: str, hrp: str) -> Address:
    """The address ``text`` on network ``hrp``, or a clear error naming what is wrong."""
    value = text.strip()
    try:
        found_hrp, _, _ = decode_address(value)
    except TanglehubError as exc:
        raise WithdrawalAddressInvalid(f"{value[:100]!r} is not a bech32 address: {exc.message}") from exc
    if found_hrp != hrp:
        network = NETWORKS.get(found_hrp, f"another network (prefix {found_hrp!r})")
        raise WithdrawalWrongNetwork(
            f"{value[:100]!r} is an address of {network}; this hub pays only addresses of its own network, "
            f'which start with "{hrp}1"'
        )
    try:
        return address_from_bech32(value, expected_hrp=hrp)
    except TanglehubError as exc:
        raise WithdrawalAddressInvalid(
            f"{value[:100]!r} is not an address this hub can pay: {exc.message}"
        ) from exc


def parse_amount(text: str) -> int:
    """A positive amount of the smallest unit from its decimal string, or :class:`WithdrawalAmountInvalid`."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 20:
        raise WithdrawalAmountInvalid(
            f"amount must be a positive integer of the smallest unit as a decimal string, got {str(text)[:40]!r}"
        )
    value = int(text)
    if not 0 < value <= _U64:
        raise WithdrawalAmountInvalid(f"amount must be between 1 and {_U64}, got {text[:40]!r}")
    return value


def minimum_amount(address: Address, rent: RentStructure) -> int:
    """The storage deposit of a plain Basic output to ``address``: the smallest payable withdrawal."""
    return storage_deposit(BasicOutput(1, (AddressUnlockCondition(address),)), rent)


def _replay(row: Withdrawal, request_hash: str) -> Withdrawal:
    if row.request_hash != request_hash:
        raise IdempotencyConflict(
            f"idempotency key {row.idempotency_key!r} was already used for another withdrawal request; "
            "use a new key for a new withdrawal"
        )
    return row


def _internal_target(session: Session, address: Address) -> int | None:
    """The user owning ``address`` when it is one of the hub's assigned deposit addresses."""
    if not isinstance(address, Ed25519Address):
        return None
    if (
        session.scalar(select(HotAddress.address_index).where(HotAddress.address_hash == address.pub_key_hash))
        is not None
    ):
        raise WithdrawalAddressInvalid("that address is one of the hub's own hot addresses; it cannot be paid")
    own = addresses.by_hashes(session, [address.pub_key_hash]).get(address.pub_key_hash)
    if own is None:
        return None
    if own.user_id is None:
        raise WithdrawalAddressInvalid("that address is a hub deposit address not assigned to any user")
    return own.user_id


def request_withdrawal(
    session: Session,
    key: str,
    req: WithdrawalRequest,
    *,
    hrp: str,
    rent: RentStructure,
    approval_threshold: int | None,
) -> tuple[Withdrawal, bool]:
    """Create (or replay) the withdrawal under idempotency ``key``; commits. Returns (row, created now)."""
    if not key or len(key) > 200 or not key.isascii() or not key.isprintable():
        raise HubArgumentError("the Idempotency-Key header is required: 1..200 printable ASCII characters")
    request_hash = req.request_hash()
    existing = session.scalar(select(Withdrawal).where(Withdrawal.idempotency_key == key))
    if existing is not None:
        session.rollback()
        return _replay(existing, request_hash), False
    address = parse_destination(req.address, hrp)
    amount = parse_amount(req.amount)
    minimum = minimum_amount(address, rent)
    if amount < minimum:
        raise WithdrawalBelowMinimum(
            f"{amount} is below {minimum}, the storage deposit of an output to that address: the smallest "
            "withdrawal it can receive"
        )
    lock_writes(session)
    existing = session.scalar(select(Withdrawal).where(Withdrawal.idempotency_key == key))
    if existing is not None:
        session.rollback()
        return _replay(existing, request_hash), False
    user = users.by_external_id(session, req.user_id)
    if user is None:
        session.rollback()
        raise UserNotFound(f"no user with id {req.user_id[:128]!r}")
    have = ledger.balance_of(session, ledger.user_account(user.id))
    if amount > have:
        session.rollback()
        raise InsufficientBalance(f"user {req.user_id!r} has {have} available; the withdrawal needs {amount}")
    target = _internal_target(session, address)
    stamp = now_ms()
    row = Withdrawal(
        user_id=user.id,
        idempotency_key=key,
        request_hash=request_hash,
        address=address.to_bech32(hrp),
        amount=amount,
        tag=req.tag,
        metadata_json=None if req.metadata is None else json.dumps(req.metadata, sort_keys=True),
        authorization=None if req.authorization is None else req.authorization.lower(),
        state="new",
        internal=target is not None,
        solo=False,
        created_at=stamp,
        updated_at=stamp,
    )
    try:
        session.add(row)
        session.flush()
        if target is not None:
            ledger.post(
                session,
                "withdrawal_internal",
                f"withdrawal:{row.id}",
                [(ledger.user_account(user.id), -amount), (ledger.user_account(target), amount)],
            )
            book.set_state(session, row, "confirmed")
        else:
            book.debit(session, row)
            above = approval_threshold is not None and amount > approval_threshold
            book.set_state(session, row, "awaiting_approval" if above else "queued")
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        again = session.scalar(select(Withdrawal).where(Withdrawal.idempotency_key == key))
        if again is not None:
            return _replay(again, request_hash), False
        raise InsufficientBalance(f"user {req.user_id!r} has less than {amount} available") from exc
    return row, True


def get_withdrawal(session: Session, withdrawal_id: str) -> Withdrawal:
    """The withdrawal ``withdrawal_id`` (decimal id) or :class:`WithdrawalNotFound`."""
    if not withdrawal_id.isdigit() or len(withdrawal_id) > 18:
        raise WithdrawalNotFound(f"no withdrawal with id {withdrawal_id[:40]!r}")
    row = session.get(Withdrawal, int(withdrawal_id))
    if row is None:
        raise WithdrawalNotFound(f"no withdrawal with id {withdrawal_id!r}")
    return row


def _transition(session: Session, withdrawal_id: str, allowed: tuple[str, ...], action: str) -> Withdrawal:
    lock_writes(session)
    row = get_withdrawal(session, withdrawal_id)
    session.refresh(row)
    if row.state not in allowed:
        session.rollback()
        raise WithdrawalStateConflict(
            f"withdrawal {withdrawal_id} is {row.state}; it can be {action} only while {' or '.join(allowed)}"
        )
    return row


def approve(session: Session, withdrawal_id: str) -> Withdrawal:
    """Release an ``awaiting_approval`` withdrawal to the batcher (``queued``); commits."""
    row = _transition(session, withdrawal_id, ("awaiting_approval",), "approved")
    book.set_state(session, row, "queued")
    session.commit()
    return row


def cancel(session: Session, withdrawal_id: str) -> Withdrawal:
    """Cancel a withdrawal not yet being signed and refund its user (once); commits. Cancelling a cancelled
    withdrawal returns it unchanged."""
    lock_writes(session)
    row = get_withdrawal(session, withdrawal_id)
    session.refresh(row)
    if row.state == "cancelled":
        session.rollback()
        return row
    row = _transition(session, withdrawal_id, ("queued", "awaiting_approval"), "cancelled")
    book.refund(session, row)
    book.set_state(session, row, "cancelled", reason="cancelled on request")
    session.commit()
    return row


def list_withdrawals(
    session: Session, *, state: str | None, user_id: str | None, after: int, limit: int
) -> tuple[list[Withdrawal], int | None]:
    """A page of withdrawals (oldest first, ids after ``after``) and the next cursor (None at the end)."""
    query = select(Withdrawal).where(Withdrawal.id > after)
    if state is not None:
        if state not in STATES:
            raise HubArgumentError(f"state must be one of {', '.join(STATES)}, got {state[:40]!r}")
        query = query.where(Withdrawal.state == state)
    if user_id is not None:
        user = users.by_external_id(session, user_id)
        if user is None:
            raise UserNotFound(f"no user with id {user_id[:128]!r}")
        query = query.where(Withdrawal.user_id == user.id)
    rows = list(session.scalars(query.order_by(Withdrawal.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def user_external_id(session: Session, row: Withdrawal) -> str:
    """The external id of ``row``'s user."""
    user = session.get(User, row.user_id)
    return user.external_id if user else str(row.user_id)
