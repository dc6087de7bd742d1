"""Every query of the deposits domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tanglehub.hub.models.deposit import Deposit

__all__ = [
    "by_output_id",
    "by_output_ids",
    "count_by_class",
    "credited_total",
    "due_unlocks",
    "locked_total",
    "page",
]


def by_output_id(session: Session, output_id: str) -> Deposit | None:
    """The deposit of output ``output_id`` (0x-hex), if recorded."""
    return session.get(Deposit, output_id)


def by_output_ids(session: Session, output_ids: Sequence[str]) -> dict[str, Deposit]:
    """The recorded deposits among ``output_ids``."""
    if not output_ids:
        return {}
    return {
        d.output_id: d for d in session.scalars(select(Deposit).where(Deposit.output_id.in_(list(output_ids))))
    }


def due_unlocks(session: Session, timestamp: int) -> list[Deposit]:
    """Locked (timelocked) deposits whose timelock is reached at milestone time ``timestamp``."""
    q = (
        select(Deposit)
        .where(Deposit.status == "locked", Deposit.unlock_at <= timestamp)
        .order_by(Deposit.output_id)
    )
    return list(session.scalars(q))


def page(
    session: Session,
    *,
    user_id: int | None,
    deposit_class: str | None,
    status: str | None,
    after: tuple[int, str] | None,
    limit: int,
) -> list[Deposit]:
    """Deposits in (milestone, output id) order after the cursor ``after``, optionally filtered."""
    q = select(Deposit)
    if user_id is not None:
        q = q.where(Deposit.user_id == user_id)
    if deposit_class is not None:
        q = q.where(Deposit.deposit_class == deposit_class)
    if status is not None:
        q = q.where(Deposit.status == status)
    if after is not None:
        m, oid = after
        q = q.where((Deposit.milestone_index > m) | ((Deposit.milestone_index == m) & (Deposit.output_id > oid)))
    return list(session.scalars(q.order_by(Deposit.milestone_index, Deposit.output_id).limit(limit)))


def count_by_class(session: Session) -> dict[str, int]:
    """How many deposits each class holds."""
    rows = session.execute(select(Deposit.deposit_class, func.count()).group_by(Deposit.deposit_class))
    return {c: int(n) for c, n in rows}


def credited_total(session: Session) -> int:
    """Sum of every credited amount."""
    return int(session.scalar(select(func.coalesce(func.sum(Deposit.credited_amount), 0))) or 0)


def locked_total(session: Session, user_id: int) -> int:
    """Sum of ``user_id``'s timelocked deposits not yet credited."""
    q = select(func.coalesce(func.sum(Deposit.amount), 0)).where(
        Deposit.user_id == user_id, Deposit.status == "locked"
    )
    return int(session.scalar(q) or 0)
