"""The hot/cold treasury: a ceiling above which the surplus goes to cold storage, a floor that raises an alert.

Figures (base units, :func:`status`):

* ``hot``: what the hub holds on the ledger and can spend: unspent and reserved ``hub_outputs`` (credited
  deposits not swept yet, hot-address outputs) plus credited deposits not yet recorded there;
* ``pending_out``: withdrawals debited from users and not paid on the ledger yet (``hub:withdrawals_pending``);
* ``free``: ``hot - pending_out``, what the ceiling and the floor are compared with;
* ``cold_sent``: everything confirmed to ``settings.cold_address`` (ledger account ``hub:cold``);
* ``liabilities``: the users' balances plus ``pending_out``.

:func:`build_move`: when ``free`` is above ``settings.hot_ceiling`` and no treasury move is in flight, one
batch of kind ``treasury`` pays ``free - hot_target`` (target defaults to the ceiling) to the cold address,
the remainder to hot address 0; the signer accepts it because the cold address is in its own policy. Its
confirmation (:func:`on_confirmed`) books ``hub:cold +amount`` / ``hub:hot_wallet -amount`` and appends
``treasury.moved``. :func:`check_floor` appends ``treasury.below_floor`` once when ``free`` drops under
``settings.hot_floor`` and ``treasury.floor_restored`` once when it is back (the state survives restarts in
the ``scanner_state`` row ``treasury_below_floor``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.cursor import ScannerState
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.payout import Batch, HubOutput
from tanglehub.hub.outputs import service as outputs
from tanglehub.hub.payouts.build import BuildParams, build_batch
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.sweeps.service import IN_FLIGHT
from tanglehub.hub.withdrawals.book import PENDING_ACCOUNT
from tanglehub.protocol.address import Ed25519Address, address_from_bech32
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput
from tanglehub.protocol.rent import storage_deposit
from tanglehub.wallet.operations.transaction.errors import (
    InsufficientFundsError,
    InsufficientNativeTokensError,
    TooManyInputsError,
)

__all__ = [
    "COLD_ACCOUNT",
    "FLOOR_STATE",
    "HOT_WALLET_ACCOUNT",
    "REFUSAL_BACKOFF_CAP",
    "TreasuryStatus",
    "build_move",
    "check_floor",
    "on_confirmed",
    "on_dead",
    "on_refused",
    "refusal_backoff",
    "status",
]

COLD_ACCOUNT = "hub:cold"
"""Everything confirmed to the cold address."""
HOT_WALLET_ACCOUNT = "hub:hot_wallet"
"""Counterpart of what left the hot wallet other than withdrawals (cold moves, recovery storage deposits);
its (negative) balance is what reconciliation adds to the hub's expected holdings."""
FLOOR_STATE = "treasury_below_floor"


@dataclass(frozen=True, slots=True)
class TreasuryStatus:
    """The figures of the module docstring, plus the in-flight treasury amount and the configured limits."""

    hot: int
    hot_deposits: int
    hot_addresses: int
    pending_out: int
    cold_sent: int
    cold_in_flight: int
    users_total: int
    ceiling: int | None
    target: int | None
    floor: int | None
    below_floor: bool
    cold_address: str | None

    @property
    def free(self) -> int:
        """``hot - pending_out`` (may be negative while funds sit in cold storage)."""
        return self.hot - self.pending_out

    @property
    def liabilities(self) -> int:
        """Users' balances plus withdrawals debited and not paid yet."""
        return self.users_total + self.pending_out


def _hot_by_origin(session: Session) -> tuple[int, int]:
    rows = session.execute(
        select(HubOutput.origin, func.sum(HubOutput.amount))
        .where(HubOutput.state.in_(["unspent", "reserved"]))
        .group_by(HubOutput.origin)
    )
    by = {o: int(s or 0) for o, s in rows}
    unsynced = int(
        session.scalar(
            select(func.sum(Deposit.amount))
            .outerjoin(HubOutput, HubOutput.output_id == Deposit.output_id)
            .where(Deposit.status == "credited", HubOutput.output_id.is_(None))
        )
        or 0
    )
    deposits = by.pop("deposit", 0) + unsynced
    return deposits, sum(by.values())


def _cold_in_flight(session: Session) -> int:
    total = 0
    for note in session.scalars(
        select(Batch.justification).where(Batch.kind == "treasury", Batch.state.in_(IN_FLIGHT))
    ):
        total += int(json.loads(note or "{}").get("amount", 0))
    return total


def status(session: Session, settings: HubSettings) -> TreasuryStatus:
    """The treasury figures now (read only)."""
    deposits, hot_addresses = _hot_by_origin(session)
    sums = ledger.line_sums(session)
    users_total = sum(cached for account, (cached, _) in sums.items() if account.startswith("user:"))
    row = session.get(ScannerState, FLOOR_STATE)
    return TreasuryStatus(
        hot=deposits + hot_addresses,
        hot_deposits=deposits,
        hot_addresses=hot_addresses,
        pending_out=sums.get(PENDING_ACCOUNT, (0, 0))[0],
        cold_sent=sums.get(COLD_ACCOUNT, (0, 0))[0],
        cold_in_flight=_cold_in_flight(session),
        users_total=users_total,
        ceiling=settings.hot_ceiling,
        target=settings.hot_target,
        floor=settings.hot_floor,
        below_floor=row is not None and row.value != 0,
        cold_address=settings.cold_address,
    )


def stats_totals(session: Session, sums: dict[str, tuple[int, int]]) -> dict[str, str]:
    """The part 2 totals of ``GET /v1/stats`` (``sums``: the ledger's line sums by account)."""
    deposits, hot_addresses = _hot_by_origin(session)
    swept = session.scalar(
        select(func.count(HubOutput.output_id))
        .join(Batch, Batch.id == HubOutput.reserved_by)
        .where(HubOutput.origin == "deposit", HubOutput.state == "spent", Batch.kind == "sweep")
    )

    def balance(account: str) -> str:
        return str(sums.get(account, (0, 0))[0])

    return {
        "withdrawalsPending": balance(PENDING_ACCOUNT),
        "withdrawalsPaid": balance("hub:withdrawals_paid"),
        "hot": str(deposits + hot_addresses),
        "coldSent": balance(COLD_ACCOUNT),
        "sweptOutputs": str(int(swept or 0)),
        "recovered": balance("hub:recovered"),
    }


def move_amount(st: TreasuryStatus) -> int:
    """What the ceiling asks to move to cold now (0 when nothing: no ceiling, not above it, or a move is in
    flight)."""
    if st.ceiling is None or st.cold_address is None or st.cold_in_flight:
        return 0
    if st.free <= st.ceiling:
        return 0
    target = st.target if st.target is not None else st.ceiling
    return st.free - target


REFUSAL_BACKOFF_CAP = 3600.0
"""The longest wait (seconds) between treasury moves after signer refusals."""


def _move_key(settings: HubSettings) -> dict[str, str | None]:
    """What a refused move is compared on: a change of any of these settings ends the back-off."""
    return {
        "to": settings.cold_address,
        "ceiling": None if settings.hot_ceiling is None else str(settings.hot_ceiling),
        "target": None if settings.hot_target is None else str(settings.hot_target),
    }


def refusal_backoff(session: Session, settings: HubSettings, since_ms: int) -> tuple[int, float]:
    """(refusals in a row, seconds to wait after the last one) for treasury moves: the signer refused the
    newest ``n`` moves built after ``since_ms`` (the worker's start: a restart, e.g. with another signer, ends
    the back-off) under the current cold address, ceiling and target; the wait is ``treasury_interval *
    2**n``, at most :data:`REFUSAL_BACKOFF_CAP`. (0, 0.0) when the newest move was not refused."""
    key = _move_key(settings)
    recent = session.scalars(
        select(Batch)
        .where(Batch.kind == "treasury", Batch.created_at >= since_ms)
        .order_by(Batch.id.desc())
        .limit(64)
    )
    n = 0
    for batch in recent:
        note = json.loads(batch.justification or "{}")
        if batch.state != "refused" or {k: note.get(k) for k in key} != key:
            break
        n += 1
    if n == 0:
        return 0, 0.0
    return n, min(REFUSAL_BACKOFF_CAP, max(settings.treasury_interval, 1.0) * 2.0**n)


def build_move(
    session: Session, settings: HubSettings, params: BuildParams, now_s: int, *, refusals_since_ms: int = 0
) -> Batch | None:
    """Build the treasury move the ceiling asks for (see the module docstring); commits and returns the batch,
    or returns None (rolled back): none due, no hot address yet, the spendable outputs cannot pay it now
    (reserved by other batches; the next round tries again), or the signer refused the last moves and the
    back-off (:func:`refusal_backoff`, counting refusals since ``refusals_since_ms``) has not passed."""
    lock_writes(session)
    st = status(session, settings)
    amount = move_amount(st)
    hot = outputs.hot_address(session, 0)
    if amount <= 0 or hot is None or settings.cold_address is None:
        session.rollback()
        return None
    refused, wait = refusal_backoff(session, settings, refusals_since_ms)
    if refused:
        last = session.scalar(select(func.max(Batch.updated_at)).where(Batch.kind == "treasury"))
        if last is not None and now_s * 1000 < last + wait * 1000:
            session.rollback()
            return None
    cold = address_from_bech32(settings.cold_address, expected_hrp=settings.bech32_hrp)
    output = BasicOutput(amount, (AddressUnlockCondition(cold),))
    if amount < storage_deposit(output, params.rent_structure):
        session.rollback()
        return None
    try:
        batch = build_batch(
            session,
            "treasury",
            [output],
            justification={"kind": "treasury"},
            params=params,
            now=now_s,
            coin_type=settings.coin_type,
            remainder_address=Ed25519Address(hot.address_hash),
            note={"amount": str(amount), **_move_key(settings)},
        )
    except (InsufficientFundsError, InsufficientNativeTokensError, TooManyInputsError):
        session.rollback()
        return None
    append_event(
        session,
        "treasury.move_started",
        {"batchId": str(batch.id), "amount": str(amount), "to": settings.cold_address, "hot": str(st.hot)},
    )
    session.commit()
    return batch


def _amount(batch: Batch) -> int:
    return int(json.loads(batch.justification or "{}").get("amount", 0))


def on_confirmed(session: Session, batch: Batch) -> None:
    """Confirm hook: book the move (``hub:cold +amount``, ``hub:hot_wallet -amount``) and ``treasury.moved``."""
    amount = _amount(batch)
    ledger.post(
        session, "treasury", f"treasury:{batch.id}", [(COLD_ACCOUNT, amount), (HOT_WALLET_ACCOUNT, -amount)]
    )
    append_event(
        session,
        "treasury.moved",
        {
            "batchId": str(batch.id),
            "amount": str(amount),
            "transactionId": batch.transaction_id,
            "milestone": batch.milestone,
        },
    )


def on_dead(session: Session, batch: Batch) -> None:
    """Dead hook: ``treasury.move_dead`` (nothing was booked; the next round decides again)."""
    append_event(session, "treasury.move_dead", {"batchId": str(batch.id), "reason": batch.reason})


def on_refused(session: Session, batch: Batch) -> None:
    """Refused hook: ``treasury.move_refused`` with the signer's reason (the next move waits for the back-off
    of :func:`refusal_backoff`)."""
    append_event(session, "treasury.move_refused", {"batchId": str(batch.id), "reason": batch.reason})


def check_floor(session: Session, settings: HubSettings) -> bool | None:
    """Append ``treasury.below_floor`` / ``treasury.floor_restored`` when ``free`` crosses the floor; commits.
    Returns True when below, False when not, None when no floor is configured."""
    if settings.hot_floor is None:
        return None
    lock_writes(session)
    st = status(session, settings)
    below = st.free < settings.hot_floor
    if below != st.below_floor:
        row = session.get(ScannerState, FLOOR_STATE)
        if row is None:
            session.add(ScannerState(name=FLOOR_STATE, value=int(below), updated_at=now_ms()))
        else:
            row.value = int(below)
            row.updated_at = now_ms()
        append_event(
            session,
            "treasury.below_floor" if below else "treasury.floor_restored",
            {
                "free": str(st.free),
                "hot": str(st.hot),
                "pendingOut": str(st.pending_out),
                "floor": str(settings.hot_floor),
            },
        )
        session.commit()
    else:
        session.rollback()
    return below
