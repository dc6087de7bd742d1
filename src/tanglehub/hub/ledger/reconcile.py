"""``GET /v1/reconciliation``: the books against the node's ledger on the hub's addresses.

For every assigned deposit address the node's indexer lists the unspent Basic outputs; each must be a
recorded deposit, and every credited deposit must still be unspent there (part 1 never spends). Outputs booked
at or after the scanner's cursor are counted as ``pending`` (not scanned yet), not as differences. The books'
own checks (:func:`tanglehub.hub.ledger.service.book_differences`) come first. One indexer query per assigned
address: an administrative check, not the deposit path.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.orm import Session

from tanglehub.hub.deposits.service import read_cursor
from tanglehub.hub.ledger.schemas import Difference, ReconciliationReport
from tanglehub.hub.ledger.service import book_differences
from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.models.deposit import Deposit
from tanglehub.node import NodePool
from tanglehub.node.query import BasicOutputQuery

__all__ = ["reconcile"]


_HubRows = list[tuple[str, str, str | None]]


def _books(
    session: Session,
) -> tuple[list[Difference], int | None, list[str], dict[str, Deposit], set[str], _HubRows]:
    from tanglehub.hub.payouts import reconcile as payouts  # noqa: PLC0415 - part 2's checks

    diffs = book_differences(session) + payouts.holdings_differences(session)
    spent = payouts.spent_output_ids(session)
    hub_rows = payouts.unspent_rows(session)
    cursor = read_cursor(session)
    assigned = list(session.scalars(select(DepositAddress.bech32).where(DepositAddress.user_id.is_not(None))))
    recorded = {d.output_id: d for d in session.scalars(select(Deposit))}
    session.rollback()
    return diffs, cursor, assigned, recorded, spent, hub_rows


async def _unspent(node: NodePool, address: str) -> list[bytes]:
    ids: list[bytes] = []
    async for page in node.iter_basic_output_ids(BasicOutputQuery(address=address)):
        ids.extend(page.items)
    return ids


async def reconcile(session: Session, node: NodePool, *, concurrency: int = 8) -> ReconciliationReport:
    """Compare the books with the node (see the module docstring); database reads run in a worker thread."""
    from tanglehub.hub.payouts.reconcile import node_differences  # noqa: PLC0415 - part 2's checks

    diffs, cursor, assigned, recorded, spent, hub_rows = await asyncio.to_thread(_books, session)
    diffs.extend(await node_differences(hub_rows, node))
    gate = asyncio.Semaphore(concurrency)

    async def one(address: str) -> list[bytes]:
        async with gate:
            return await _unspent(node, address)

    per_address = await asyncio.gather(*(one(a) for a in assigned))
    node_total = 0
    books_total = 0
    pending = 0
    on_node: set[str] = set()
    for address, ids in zip(assigned, per_address, strict=True):
        for oid in ids:
            oid_hex = "0x" + oid.hex()
            on_node.add(oid_hex)
            deposit = recorded.get(oid_hex)
            if deposit is not None:
                node_total += deposit.amount
                continue
            response = await node.get_output(oid)
            node_total += int(getattr(response.output, "amount", 0))
            if cursor is None or response.metadata.milestone_index_booked >= cursor:
                pending += 1
                continue
            diffs.append(
                Difference(
                    kind="unrecorded_output",
                    detail=f"output {oid_hex} on {address} was confirmed before the scanner's cursor but is not "
                    "a recorded deposit",
                    output_id=oid_hex,
                    address=address,
                    actual=str(getattr(response.output, "amount", 0)),
                )
            )
    for oid_hex, deposit in sorted(recorded.items()):
        if deposit.status != "credited" or oid_hex in spent:
            continue
        books_total += deposit.credited_amount
        if oid_hex not in on_node:
            diffs.append(
                Difference(
                    kind="credited_output_missing",
                    detail=f"credited deposit {oid_hex} is not unspent on the node",
                    output_id=oid_hex,
                    expected=str(deposit.credited_amount),
                )
            )
    return ReconciliationReport(
        ok=not diffs,
        scanned_up_to=None if cursor is None else cursor - 1,
        addresses_checked=len(assigned),
        node_outputs=len(on_node),
        node_total=str(node_total),
        books_total=str(books_total),
        pending=pending,
        differences=diffs,
    )
