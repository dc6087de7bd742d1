"""Ledger reads: a user's balance and history, the hub's stats, and the books' self-checks."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tanglehub.hub.addresses import repository as addresses
from tanglehub.hub.deposits import repository as deposits
from tanglehub.hub.deposits.service import read_cursor
from tanglehub.hub.errors import UserNotFound
from tanglehub.hub.events.repository import last_seq
from tanglehub.hub.ledger import repository
from tanglehub.hub.ledger.schemas import Difference, StatsPublic
from tanglehub.hub.models.user import User
from tanglehub.hub.reader import Reader
from tanglehub.hub.users import repository as users

__all__ = ["balance", "balance_of_user", "book_differences", "history", "read_balance_of_user", "stats"]


def balance_of_user(session: Session, user_id: str) -> tuple[int, int]:
    """(available, locked) of the user with the exchange's id ``user_id``; raises :class:`UserNotFound`."""
    found = repository.user_balance(session, user_id)
    if found is None:
        raise UserNotFound(f"no user with id {user_id[:128]!r}")
    return found


async def read_balance_of_user(reader: Reader, user_id: str) -> tuple[int, int]:
    """:func:`balance_of_user` through the API's :class:`~tanglehub.hub.reader.Reader`: one autocommit
    statement, no session and no thread hop (the balance route's path). Raises :class:`UserNotFound`."""
    found = await repository.read_user_balance(reader, user_id)
    if found is None:
        raise UserNotFound(f"no user with id {user_id[:128]!r}")
    return found


def balance(session: Session, user: User) -> tuple[int, int]:
    """(available, locked) of ``user`` in base units."""
    return (
        repository.balance_of(session, repository.user_account(user.id)),
        deposits.locked_total(session, user.id),
    )


def history(
    session: Session, user: User, after: int, limit: int
) -> tuple[list[repository.HistoryLine], int | None]:
    """A page of ``user``'s booked changes after journal id ``after`` and the next cursor (None at the end)."""
    lines = repository.history(session, repository.user_account(user.id), after, limit + 1)
    more = len(lines) > limit
    lines = lines[:limit]
    return lines, (lines[-1].journal_tx_id if more and lines else None)


def stats(session: Session) -> StatsPublic:
    """Counts and totals of the hub."""
    sums = repository.line_sums(session)
    user_total = sum(v for a, (v, _) in sums.items() if a.startswith("user:"))
    return StatsPublic(
        users=users.count(session),
        addresses_assigned=addresses.count_assigned(session),
        addresses_ready=addresses.count_unassigned(session),
        deposits_by_class=deposits.count_by_class(session),
        credited_total=str(deposits.credited_total(session)),
        user_balances_total=str(user_total),
        scanner_next_milestone=read_cursor(session),
        last_event_seq=last_seq(session),
        part2=_part2_totals(session, sums),
    )


def _part2_totals(session: Session, sums: dict[str, tuple[int, int]]) -> dict[str, str]:
    """Withdrawal, treasury and recovery totals from the journal and the hub's outputs."""
    from tanglehub.hub.treasury.service import stats_totals  # noqa: PLC0415 - part 2 builds on part 1

    return stats_totals(session, sums)


def book_differences(session: Session) -> list[Difference]:
    """The books checked against themselves: every journal transaction sums to zero, every cached balance
    equals the sum of its lines, user balances sum to the credited deposits minus nothing else (part 1)."""
    out: list[Difference] = []
    for tx_id, total in repository.journal_imbalances(session):
        out.append(
            Difference(kind="unbalanced_journal", detail=f"journal {tx_id} sums to {total}", actual=str(total))
        )
    sums = repository.line_sums(session)
    for account, (cached, lines) in sorted(sums.items()):
        if cached != lines:
            out.append(
                Difference(
                    kind="balance_cache_mismatch",
                    detail=f"account {account} caches {cached} but its lines sum to {lines}",
                    account=account,
                    expected=str(lines),
                    actual=str(cached),
                )
            )
    holdings = -sums.get(repository.DEPOSITS_ACCOUNT, (0, 0))[0]
    credited = deposits.credited_total(session)
    if holdings != credited:
        out.append(
            Difference(
                kind="holdings_mismatch",
                detail=f"the deposits account holds {holdings} but credited deposits sum to {credited}",
                account=repository.DEPOSITS_ACCOUNT,
                expected=str(credited),
                actual=str(holdings),
            )
        )
    return out
