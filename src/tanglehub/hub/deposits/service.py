"""Deposits: record matched outputs and credit them exactly once, in the transaction that advances the cursor.

:func:`apply_milestones` is the scanner's single write: for a run of consecutive confirmed milestones it
matches every created output against the deposit-address index (one indexed lookup per milestone's outputs),
records each match (unique by output id), credits what is creditable through the double-entry ledger (unique
journal reference ``deposit:<outputId>``), credits timelocked deposits whose time has come, appends the
events, and moves the cursor, all in one database transaction guarded by a compare-and-set on the cursor: a
second scanner (a standby that took over, a restarted process) that read the same milestones finds the cursor
moved and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tanglehub.hub.addresses import repository as addresses
from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.deposits import repository
from tanglehub.hub.deposits.classify import Classification, classify, owner_hashes
from tanglehub.hub.errors import DepositNotFound, HubArgumentError
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.cursor import ScannerState
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.user import User
from tanglehub.protocol.output import Output

__all__ = [
    "SCANNER_CURSOR",
    "ApplyResult",
    "ScannedMilestone",
    "apply_milestones",
    "get_deposit",
    "init_cursor",
    "list_deposits",
    "parse_output_id",
    "read_cursor",
]

SCANNER_CURSOR = "scanner"
"""The ``scanner_state`` row holding the next milestone index to scan."""


@dataclass(frozen=True, slots=True)
class ScannedMilestone:
    """One confirmed milestone as fetched from the node: index, Unix timestamp, and its created outputs
    (output id, output) — only those that pay some Ed25519 address are needed."""

    index: int
    timestamp: int
    created: Sequence[tuple[bytes, Output]]


@dataclass(slots=True)
class ApplyResult:
    """What :func:`apply_milestones` did: whether it wrote (False: the cursor had moved), deposits recorded,
    deposits credited (including unlocked timelocks), and the new cursor."""

    applied: bool
    recorded: int = 0
    credited: int = 0
    next_index: int = 0
    credited_ids: list[str] = field(default_factory=list)


def read_cursor(session: Session) -> int | None:
    """The next milestone index the scanner will read (None before :func:`init_cursor`)."""
    return session.scalar(select(ScannerState.value).where(ScannerState.name == SCANNER_CURSOR))


def init_cursor(session: Session, next_index: int) -> int:
    """Create the scanner cursor at ``next_index`` unless it exists; commit; return the cursor's value."""
    current = read_cursor(session)
    if current is not None:
        return current
    lock_writes(session)
    current = read_cursor(session)
    if current is None:
        session.add(ScannerState(name=SCANNER_CURSOR, value=next_index, updated_at=now_ms()))
        current = next_index
    session.commit()
    return current


def _deposit_event(row: Deposit, user: str | None) -> dict[str, object]:
    return {
        "outputId": row.output_id,
        "userId": user,
        "amount": str(row.amount),
        "class": row.deposit_class,
        "status": row.status,
        "milestoneIndex": row.milestone_index,
    }


def _credit(session: Session, row: Deposit, amount: int, user: str | None, *, stored: bool) -> None:
    """Book ``amount`` of deposit ``row`` to its user and mark it credited: an UPDATE when ``stored``; else on
    the transient ``row`` (the caller INSERTs it, appends ``deposit.seen``, then calls :func:`_announce`)."""
    assert row.user_id is not None
    journal_id = ledger.post(
        session,
        "deposit",
        f"deposit:{row.output_id}",
        [(ledger.user_account(row.user_id), amount), (ledger.DEPOSITS_ACCOUNT, -amount)],
    )
    values = {
        "journal_tx_id": journal_id,
        "credited_amount": amount,
        "status": "credited",
        "credited_at": now_ms(),
    }
    if stored:
        session.connection().execute(update(Deposit).where(Deposit.output_id == row.output_id).values(**values))
        _announce(session, row, user, amount)
    else:
        for key, value in values.items():
            setattr(row, key, value)


def _announce(session: Session, row: Deposit, user: str | None, amount: int) -> None:
    event = {**_deposit_event(row, user), "status": "credited", "credited": str(amount)}
    append_event(session, "deposit.credited", event)


def _insert(session: Session, row: Deposit) -> None:
    columns = {c.key: getattr(row, c.key) for c in Deposit.__table__.columns}
    session.connection().execute(insert(Deposit).values(**columns))


_OUTCOME_EVENT = {
    "locked": "deposit.locked",
    "held": "deposit.uncreditable",
    "recorded": "deposit.below_minimum",
    "left_to_expire": "deposit.left_to_expire",
    "awaiting_claim": "deposit.awaiting_claim",
}


def apply_milestones(
    session: Session,
    milestones: Sequence[ScannedMilestone],
    *,
    min_deposit: int,
    sdruc_policy: str,
    hrp: str,
) -> ApplyResult:
    """Record and credit the deposits of ``milestones`` (consecutive, oldest first), advance the cursor past
    the last one, and commit; all or nothing. Writes nothing if the cursor is not at ``milestones[0].index``."""
    if not milestones:
        return ApplyResult(applied=False)
    lock_writes(session)
    cursor = read_cursor(session)
    if cursor != milestones[0].index:
        session.rollback()
        return ApplyResult(applied=False, next_index=cursor or 0)
    result = ApplyResult(applied=True)
    names: dict[int, str] = {}

    def user_name(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in names:
            user = session.get(User, user_id)
            names[user_id] = user.external_id if user else str(user_id)
        return names[user_id]

    for ms in milestones:
        owners = {oid: owner_hashes(out) for oid, out in ms.created}
        known = addresses.by_hashes(session, [h for hs in owners.values() for h in hs])
        matched = [(oid, out) for oid, out in ms.created if any(h in known for h in owners[oid])]
        recorded = repository.by_output_ids(session, ["0x" + oid.hex() for oid, _ in matched])
        for oid, out in matched:
            oid_hex = "0x" + oid.hex()
            if oid_hex in recorded:
                continue
            address = next(known[h] for h in owners[oid] if h in known)
            c: Classification = classify(
                out, ms.timestamp, min_deposit=min_deposit, sdruc_policy=sdruc_policy, hrp=hrp
            )
            status, reason = c.status, c.reason
            if address.user_id is None and status in ("credited", "locked"):
                status, reason = "held", "paid to a pool address not yet assigned to a user"
            row = Deposit(
                output_id=oid_hex,
                address_index=address.address_index,
                user_id=address.user_id,
                amount=int(getattr(out, "amount", 0)),
                credited_amount=0,
                deposit_class=c.deposit_class,
                status="seen" if status == "credited" else status,
                reason=reason,
                output_type=int(out.KIND),
                milestone_index=ms.index,
                milestone_timestamp=ms.timestamp,
                unlock_at=c.unlock_at,
                sender=c.sender,
                tag=c.tag,
                metadata_hex=c.metadata_hex,
                native_tokens=c.native_tokens,
                created_at=now_ms(),
            )
            result.recorded += 1
            user = user_name(address.user_id)
            seen_event = {**_deposit_event(row, user), "address": address.bech32}
            if status == "credited":
                _credit(session, row, c.credit, user, stored=False)
                _insert(session, row)
                append_event(session, "deposit.seen", {**seen_event, "status": "seen"})
                _announce(session, row, user, c.credit)
                result.credited += 1
                result.credited_ids.append(oid_hex)
            else:
                _insert(session, row)
                append_event(session, "deposit.seen", seen_event)
                append_event(session, _OUTCOME_EVENT.get(status, "deposit.recorded"), _deposit_event(row, user))
        for row in repository.due_unlocks(session, ms.timestamp):
            if row.user_id is None:
                continue
            _credit(session, row, row.amount, user_name(row.user_id), stored=True)
            result.credited += 1
            result.credited_ids.append(row.output_id)
    result.next_index = milestones[-1].index + 1
    state = session.get(ScannerState, SCANNER_CURSOR)
    assert state is not None
    state.value = result.next_index
    state.updated_at = now_ms()
    session.commit()
    return result


def parse_output_id(text: str) -> str:
    """Normalize an output id (0x + 68 hex digits) or raise :class:`HubArgumentError`."""
    t = text.lower()
    if not t.startswith("0x"):
        t = "0x" + t
    if len(t) != 70 or any(ch not in "0123456789abcdef" for ch in t[2:]):
        raise HubArgumentError(f"{text[:80]!r} is not an output id (0x followed by 68 hex digits)")
    return t


def get_deposit(session: Session, output_id: str) -> Deposit:
    """The deposit of ``output_id``; raises :class:`HubArgumentError` or :class:`DepositNotFound`."""
    oid = parse_output_id(output_id)
    row = repository.by_output_id(session, oid)
    if row is None:
        raise DepositNotFound(f"no deposit with output id {oid}")
    return row


def list_deposits(
    session: Session,
    *,
    user_id: int | None,
    deposit_class: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Deposit], str | None]:
    """A page of deposits and the next page's cursor (``<milestone>:<outputId>``; None at the end)."""
    after: tuple[int, str] | None = None
    if cursor:
        milestone, _, oid = cursor.partition(":")
        if not milestone.isdigit() or len(milestone) > 12:
            raise HubArgumentError(f"invalid cursor {cursor[:40]!r}: pass the nextCursor of the previous page")
        after = (int(milestone), parse_output_id(oid))
    rows = repository.page(
        session, user_id=user_id, deposit_class=deposit_class, status=status, after=after, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (f"{rows[-1].milestone_index}:{rows[-1].output_id}" if more and rows else None)
