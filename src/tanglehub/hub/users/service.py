"""Users: create (idempotent by the exchange's id), get, list with cursor paging."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tanglehub.hub.db import lock_writes, now_ms
from tanglehub.hub.errors import HubArgumentError, UserNotFound
from tanglehub.hub.events.repository import append_event
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.models.user import User
from tanglehub.hub.users import repository
from tanglehub.hub.users.schemas import USER_ID_PATTERN

__all__ = ["create_user", "decode_cursor", "get_user", "list_users"]

_USER_ID = re.compile(USER_ID_PATTERN)


def check_user_id(user_id: str) -> str:
    """``user_id`` if it is a valid exchange user id, else :class:`HubArgumentError`."""
    if not _USER_ID.fullmatch(user_id):
        raise HubArgumentError(
            f"invalid user id {user_id[:40]!r}: use 1-128 letters, digits or . _ : @ -, "
            "starting with a letter or digit"
        )
    return user_id


def create_user(session: Session, user_id: str) -> tuple[User, bool]:
    """Create the user ``user_id`` with a zero ledger account and a ``user.created`` event, and commit.

    Idempotent: if the user exists, returns it unchanged. Returns (user, created).
    """
    check_user_id(user_id)
    existing = repository.by_external_id(session, user_id)
    if existing is not None:
        return existing, False
    lock_writes(session)
    existing = repository.by_external_id(session, user_id)
    if existing is not None:
        session.rollback()
        return existing, False
    try:
        user = repository.insert(session, user_id, now_ms())
        ledger.add_user_account(session, user.id)
        append_event(session, "user.created", {"userId": user_id})
        session.commit()
    except IntegrityError:  # another process created it between our read and write
        session.rollback()
        return get_user(session, user_id), False
    return user, True


def get_user(session: Session, user_id: str) -> User:
    """The user ``user_id``; raises :class:`UserNotFound`."""
    user = repository.by_external_id(session, user_id)
    if user is None:
        raise UserNotFound(f"no user with id {user_id[:128]!r}")
    return user


def decode_cursor(cursor: str | None) -> int:
    """The internal position a page cursor stands for (``None`` = start); raises :class:`HubArgumentError`."""
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit() or len(cursor) > 18:
        raise HubArgumentError(f"invalid cursor {cursor[:40]!r}: pass the nextCursor of the previous page")
    return int(cursor)


def list_users(session: Session, cursor: str | None, limit: int) -> tuple[list[User], str | None]:
    """One page of users and the cursor of the next page (``None`` when this is the last)."""
    rows = repository.page(session, decode_cursor(cursor), limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].id) if more and rows else None)
