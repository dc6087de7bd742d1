"""Every query of the users domain."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tanglehub.hub.models.user import User

__all__ = ["by_external_id", "by_id", "count", "insert", "page"]


def by_external_id(session: Session, external_id: str) -> User | None:
    """The user with the exchange's id ``external_id``, if any."""
    return session.scalar(select(User).where(User.external_id == external_id))


def by_id(session: Session, user_id: int) -> User | None:
    """The user with internal id ``user_id``, if any."""
    return session.get(User, user_id)


def insert(session: Session, external_id: str, created_at: int) -> User:
    """Add a user row (flushed, so its id is known)."""
    user = User(external_id=external_id, created_at=created_at)
    session.add(user)
    session.flush()
    return user


def page(session: Session, after: int, limit: int) -> list[User]:
    """Users with internal id > ``after``, oldest first."""
    return list(session.scalars(select(User).where(User.id > after).order_by(User.id).limit(limit)))


def count(session: Session) -> int:
    """How many users exist."""
    return int(session.scalar(select(func.count()).select_from(User)) or 0)
