"""Deposit addresses: hand out a pre-derived address (never waiting on key derivation), list a user's
addresses, look up the user of an address, and refill the pool (the background worker's job)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tanglehub.hub.addresses import repository
from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.errors import AddressPoolEmpty, HubArgumentError, UnknownAddress
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.models.address import DepositAddress
from tanglehub.hub.models.user import User
from tanglehub.hub.users import repository as users
from tanglehub.keys.bech32 import encode_many
from tanglehub.protocol.address import Ed25519Address, address_from_bech32

__all__ = ["assign_address", "lookup_address", "plan_refill", "store_refill", "user_addresses"]


def assign_address(session: Session, user: User) -> DepositAddress:
    """Assign the next pool address to ``user``, append ``address.assigned`` and commit.

    Raises :class:`AddressPoolEmpty` (503) when no pre-derived address is ready.
    """
    lock_writes(session)
    row = repository.assign_lowest(session, user.id, now_ms())
    if row is None:
        session.rollback()
        raise AddressPoolEmpty("no deposit address is ready; the address pool is being refilled, retry shortly")
    append_event(
        session,
        "address.assigned",
        {"userId": user.external_id, "address": row.bech32, "index": row.address_index},
    )
    session.commit()
    return row


def user_addresses(session: Session, user: User) -> list[DepositAddress]:
    """Every deposit address of ``user``, newest (current) first."""
    return repository.of_user(session, user.id)


def lookup_address(session: Session, address: str, hrp: str) -> tuple[DepositAddress, str | None]:
    """The deposit address ``address`` (bech32) and its user's id (None while unassigned).

    Raises :class:`HubArgumentError` for text that is not an address of this network, :class:`UnknownAddress`
    when it is not a hub deposit address.
    """
    try:
        parsed = address_from_bech32(address, hrp)
    except Exception as exc:
        raise HubArgumentError(
            f"{address[:100]!r} is not a bech32 address of this network ({hrp}): {exc}"
        ) from exc
    if not isinstance(parsed, Ed25519Address):
        raise UnknownAddress(f"{address[:100]} is not a hub deposit address (not an Ed25519 address)")
    rows = repository.by_hashes(session, [parsed.pub_key_hash])
    row = rows.get(parsed.pub_key_hash)
    if row is None:
        raise UnknownAddress(f"{address[:100]} is not a hub deposit address")
    user = users.by_id(session, row.user_id) if row.user_id is not None else None
    return row, (user.external_id if user else None)


def plan_refill(session: Session, *, target: int, batch: int) -> tuple[int, int]:
    """(first index, count) of the next pool batch to derive so that ``target`` addresses wait unassigned
    (count 0: the pool is full). Read-only."""
    missing = target - repository.count_unassigned(session)
    start = repository.next_index(session)
    session.rollback()
    return start, max(0, min(missing, batch))


def store_refill(session: Session, start: int, hashes: list[bytes], hrp: str) -> int:
    """Store derived addresses ``start ..`` as unassigned pool rows and commit; returns how many were added
    (0 when another process stored that range first)."""
    texts = encode_many(hrp, Ed25519Address.KIND, hashes)
    lock_writes(session)
    if repository.next_index(session) != start:
        session.rollback()
        return 0
    repository.add_batch(session, [(start + i, h, t) for i, (h, t) in enumerate(zip(hashes, texts, strict=True))])
    session.commit()
    return len(hashes)
