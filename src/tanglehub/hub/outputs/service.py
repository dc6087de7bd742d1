"""The hub-owned UTXO set: what the payouts pipeline may spend, and the hub's hot addresses.

Outputs enter ``hub_outputs`` three ways: a credited deposit (:func:`missing_deposit_outputs` lists those not
recorded yet; the batcher fetches them from the node and :func:`add_output` records them), an output a hub
batch made to a hot address (recorded by the batch's confirmation), and an output someone else paid to a hot
address (``funding``: the operator topping the hot wallet up, found through the indexer). Every state change
runs in the caller's database transaction: ``unspent`` -> ``reserved`` (by exactly one batch) -> ``spent``, or
back to ``unspent`` when the batch is refused or proven dead with this input untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tanglehub.hub.db import now_ms
from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.models.deposit import Deposit
from tanglehub.hub.models.payout import HotAddress, HubOutput
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import Output, output_from_bytes
from tanglehub.wallet.operations.transaction.select_inputs import Candidate, owner_at, unusable_reason

__all__ = [
    "SPENDABLE_ORIGINS",
    "add_output",
    "candidates",
    "chain_of",
    "holdings",
    "hot_address",
    "hot_addresses",
    "missing_deposit_outputs",
    "record_hot_addresses",
    "release",
    "reserve",
    "spend",
]


SPENDABLE_ORIGINS = ("deposit", "hot", "funding")
"""Origins input selection may spend; anything else (a recovery's uncreditable deposit) is never picked."""


def hot_addresses(session: Session) -> dict[bytes, HotAddress]:
    """Every stored hot address by its 32-byte Ed25519 address hash."""
    return {h.address_hash: h for h in session.scalars(select(HotAddress).order_by(HotAddress.address_index))}


def hot_address(session: Session, index: int = 0) -> HotAddress | None:
    """Hot address ``index`` (None until the batcher derived it through the signer)."""
    return session.get(HotAddress, index)


def record_hot_addresses(session: Session, start: int, hashes: Sequence[bytes], hrp: str) -> None:
    """Store hot addresses ``start..`` (their hashes as the signer derived them); existing rows are kept."""
    for i, h in enumerate(hashes):
        if session.get(HotAddress, start + i) is None:
            session.add(
                HotAddress(address_index=start + i, address_hash=h, bech32=Ed25519Address(h).to_bech32(hrp))
            )


def missing_deposit_outputs(session: Session, limit: int = 500) -> list[tuple[str, int, bytes]]:
    """Credited deposits not yet in ``hub_outputs``: (output id, deposit address index, address hash)."""
    rows = session.execute(
        select(Deposit.output_id, Deposit.address_index, DepositAddress.address_hash)
        .join(DepositAddress, DepositAddress.address_index == Deposit.address_index)
        .outerjoin(HubOutput, HubOutput.output_id == Deposit.output_id)
        .where(Deposit.status == "credited", HubOutput.output_id.is_(None))
        .order_by(Deposit.milestone_index)
        .limit(limit)
    )
    return [(o, int(i), bytes(h)) for o, i, h in rows]


def add_output(
    session: Session,
    output_id: str,
    output: Output,
    *,
    chain: Bip44,
    address_hash: bytes,
    origin: str,
    milestone: int | None,
    created_by: int | None = None,
    state: str = "unspent",
) -> bool:
    """Record one hub output (no-op returning False when it is known already)."""
    if session.get(HubOutput, output_id) is not None:
        return False
    session.add(
        HubOutput(
            output_id=output_id,
            output=output.to_bytes(),
            amount=int(getattr(output, "amount", 0)),
            address_hash=address_hash,
            account=chain.account,
            change=chain.change,
            address_index=chain.address_index,
            origin=origin,
            state=state,
            created_by=created_by,
            created_milestone=milestone,
            created_at=now_ms(),
        )
    )
    return True


def chain_of(row: HubOutput, coin_type: int) -> Bip44:
    """The BIP44 chain of the key that unlocks ``row``."""
    return Bip44(coin_type, row.account, row.change, row.address_index)


def candidates(
    session: Session, now: int, *, limit: int = 4000, exclude: Iterable[str] = ()
) -> tuple[list[Candidate], dict[bytes, HubOutput]]:
    """Unspent outputs of a spendable origin (:data:`SPENDABLE_ORIGINS`) the pipeline may consume now (owned by
    their Ed25519 address, no timelock, storage deposit return or expiration pending), largest first, as the
    wallet's input-selection candidates."""
    skip = set(exclude)
    rows = list(
        session.scalars(
            select(HubOutput)
            .where(HubOutput.state == "unspent", HubOutput.origin.in_(SPENDABLE_ORIGINS))
            .order_by(HubOutput.amount.desc())
            .limit(limit)
        )
    )
    out: list[Candidate] = []
    by_id: dict[bytes, HubOutput] = {}
    for row in rows:
        if row.output_id in skip:
            continue
        output = output_from_bytes(row.output)
        if unusable_reason(output, now, {row.address_hash}, False) is not None:
            continue
        owner = owner_at(output, now)
        assert isinstance(owner, Ed25519Address)
        oid = bytes.fromhex(row.output_id[2:])
        out.append(Candidate(oid, output, owner.pub_key_hash))
        by_id[oid] = row
    return out, by_id


def reserve(session: Session, output_ids: Sequence[str], batch_id: int) -> None:
    """Reserve unspent outputs for ``batch_id``; raises ``RuntimeError`` if one was taken meanwhile."""
    result = session.execute(
        update(HubOutput)
        .where(HubOutput.output_id.in_(list(output_ids)), HubOutput.state == "unspent")
        .values(state="reserved", reserved_by=batch_id)
    )
    if result.rowcount != len(output_ids):  # type: ignore[attr-defined]
        raise RuntimeError("an input was reserved by another batch meanwhile")


def release(session: Session, batch_id: int, keep_spent: Iterable[str] = ()) -> None:
    """Give ``batch_id``'s reserved outputs back (those in ``keep_spent`` are marked spent instead)."""
    spent = list(keep_spent)
    if spent:
        session.execute(
            update(HubOutput).where(HubOutput.output_id.in_(spent)).values(state="spent", reserved_by=None)
        )
    session.execute(
        update(HubOutput)
        .where(HubOutput.reserved_by == batch_id, HubOutput.state == "reserved")
        .values(state="unspent", reserved_by=None)
    )


def spend(session: Session, batch_id: int, milestone: int | None) -> None:
    """Mark ``batch_id``'s reserved outputs spent (its transaction was confirmed at ``milestone``)."""
    session.execute(
        update(HubOutput).where(HubOutput.reserved_by == batch_id).values(state="spent", spent_milestone=milestone)
    )


def holdings(session: Session) -> dict[str, int]:
    """Sums of unspent + reserved hub outputs by origin (base units)."""
    rows = session.execute(
        select(HubOutput.origin, func.sum(HubOutput.amount))
        .where(HubOutput.state.in_(["unspent", "reserved"]))
        .group_by(HubOutput.origin)
    )
    return {o: int(s or 0) for o, s in rows}
