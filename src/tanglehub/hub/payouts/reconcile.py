"""Reconciliation of the payouts side: user balances + pending withdrawals = what the hub holds on the ledger.

* :func:`holdings_differences` (database only, exact at every commit): the hub's holdings — unspent and
  reserved ``hub_outputs`` plus credited deposits not yet recorded there — must equal the users' balances plus
  the withdrawals debited but not yet paid (``hub:withdrawals_pending``) plus what the operator paid into hot
  addresses from outside (``funding``) minus what moved out to cold storage or paid recovery storage deposits
  (``hub:hot_wallet``, negative). Each withdrawal is also checked against the journal: a confirmed one is
  paid exactly once and never refunded, a failed or cancelled one refunded exactly once and never paid.
* :func:`node_differences`: every output the hub counts as unspent is unspent on the node (one metadata lookup
  each; outputs reserved by an in-flight batch may be spent by that batch's own transaction).
* :func:`spent_output_ids`: credited deposits the hub has spent (part 1's check skips them).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.ledger.schemas import Difference
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.ledger import JournalTransaction
from tanglehub.hub.models.payout import Batch, HubOutput, Withdrawal
from tanglehub.hub.withdrawals.book import PENDING_ACCOUNT
from tanglehub.node import NodePool
from tanglehub.node.errors import NodeError
from tanglehub.protocol.jsonutil import hex_from_bytes

__all__ = ["holdings_differences", "node_differences", "spent_output_ids", "unspent_rows"]


def spent_output_ids(session: Session) -> set[str]:
    """Output ids of hub outputs marked spent (or reserved by a batch, which may spend them any moment)."""
    return set(session.scalars(select(HubOutput.output_id).where(HubOutput.state.in_(["spent", "reserved"]))))


def _journal_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(JournalTransaction.reference).where(
            JournalTransaction.kind.in_(["withdrawal_paid", "withdrawal_refund"])
        )
    )
    return {r: 1 for (r,) in rows}


def holdings_differences(session: Session) -> list[Difference]:
    """The database-only checks of the module docstring."""
    out: list[Difference] = []
    sums = ledger.line_sums(session)
    users_total = sum(cached for account, (cached, _) in sums.items() if account.startswith("user:"))
    pending = sums.get(PENDING_ACCOUNT, (0, 0))[0]
    held = int(
        session.scalar(select(func.sum(HubOutput.amount)).where(HubOutput.state.in_(["unspent", "reserved"]))) or 0
    )
    funding = int(session.scalar(select(func.sum(HubOutput.amount)).where(HubOutput.origin == "funding")) or 0)
    unsynced = int(
        session.scalar(
            select(func.sum(Deposit.amount))
            .outerjoin(HubOutput, HubOutput.output_id == Deposit.output_id)
            .where(Deposit.status == "credited", HubOutput.output_id.is_(None))
        )
        or 0
    )
    holdings = held + unsynced
    # what left the hot wallet other than withdrawals (moves to cold storage, recovery storage deposits) is
    # booked against hub:hot_wallet (negative), see tanglehub.hub.treasury.service
    moved_out = sums.get("hub:hot_wallet", (0, 0))[0]
    expected = users_total + pending + funding + moved_out
    if holdings != expected:
        out.append(
            Difference(
                kind="holdings_mismatch_payouts",
                detail=f"the hub holds {holdings} on its outputs but owes {users_total} to users plus {pending} "
                f"in pending withdrawals, received {funding} in hot-wallet funding and moved {-moved_out} out "
                "(cold storage, recovery deposits)",
                expected=str(expected),
                actual=str(holdings),
            )
        )
    booked = _journal_counts(session)
    for w in session.scalars(select(Withdrawal).where(Withdrawal.internal.is_(False))):
        paid = f"withdrawal-paid:{w.id}" in booked
        refunded = f"withdrawal-refund:{w.id}" in booked
        wrong = (
            (w.state == "confirmed" and (not paid or refunded))
            or (w.state in ("failed", "cancelled") and (paid or not refunded))
            or (w.state not in ("confirmed", "failed", "cancelled") and (paid or refunded))
        )
        if wrong:
            out.append(
                Difference(
                    kind="withdrawal_books_mismatch",
                    detail=f"withdrawal {w.id} is {w.state} but the journal shows paid={paid} refunded={refunded}",
                    account=PENDING_ACCOUNT,
                )
            )
    return out


async def node_differences(session_rows: list[tuple[str, str, str | None]], node: NodePool) -> list[Difference]:
    """``session_rows``: (output id, state, reserved_by batch's transaction id or None) of the unspent and
    reserved hub outputs; each must be unspent on the node (or spent by its reserving batch)."""
    gate = asyncio.Semaphore(8)
    out: list[Difference] = []

    async def one(oid: str, state: str, tx: str | None) -> None:
        async with gate:
            try:
                meta = await node.get_output_metadata(oid)
            except NodeError as exc:
                out.append(Difference(kind="hub_output_unknown", detail=f"{oid}: {exc.message}", output_id=oid))
                return
        if not meta.is_spent:
            return
        spender = hex_from_bytes(meta.transaction_id_spent) if meta.transaction_id_spent else None
        if state == "reserved" and spender is not None and spender == tx:
            return
        out.append(
            Difference(
                kind="hub_output_spent_elsewhere",
                detail=f"hub output {oid} ({state}) was spent on the ledger by transaction {spender}",
                output_id=oid,
            )
        )

    await asyncio.gather(*(one(*row) for row in session_rows))
    return out


def unspent_rows(session: Session) -> list[tuple[str, str, str | None]]:
    """The rows :func:`node_differences` checks."""
    rows = session.execute(
        select(HubOutput.output_id, HubOutput.state, Batch.transaction_id)
        .outerjoin(Batch, Batch.id == HubOutput.reserved_by)
        .where(HubOutput.state.in_(["unspent", "reserved"]))
    )
    return [(o, s, t) for o, s, t in rows]
