"""Every query of the transfers domain."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tanglehub.hub.models.transfer import Transfer

__all__ = ["by_key", "insert"]


def by_key(session: Session, key: str) -> Transfer | None:
    """The transfer applied under idempotency key ``key``, if any."""
    return session.get(Transfer, key)


def insert(session: Session, transfer: Transfer) -> None:
    """Add an applied transfer row."""
    session.add(transfer)
    session.flush()
