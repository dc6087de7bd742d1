"""Users, the double-entry ledger and internal transfers on SQLite and PostgreSQL: idempotency, every
refusal with its own error, the database's own non-negative guard, atomicity, concurrent transfers."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from tests.hub.helpers import balance, events, in_session, new_user_address

from tanglehub.hub.addresses.service import assign_address
from tanglehub.hub.context import HubContext
from tanglehub.hub.errors import (
    AddressPoolEmpty,
    HubArgumentError,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidTransfer,
    UserNotFound,
)
from tanglehub.hub.ledger import repository as ledger
from tanglehub.hub.ledger.service import book_differences
from tanglehub.hub.transfers.service import apply_transfer
from tanglehub.hub.users.service import create_user, get_user, list_users
from tanglehub.hub.workers.pool import fill_pool


def _fund(ctx: HubContext, user_id: str, amount: int) -> None:
    """Credit ``user_id`` as a deposit would (a balanced journal transaction against the hub's holdings)."""
    with ctx.sessionmaker() as session:
        user = get_user(session, user_id)
        ledger.post(
            session,
            "deposit",
            f"deposit:test-{user_id}-{amount}",
            [(ledger.user_account(user.id), amount), (ledger.DEPOSITS_ACCOUNT, -amount)],
        )
        session.commit()


def _book_errors(ctx: HubContext) -> list[str]:
    """The books' self-check findings, except the holdings one (these tests fund users without deposits)."""
    return [d.kind for d in in_session(ctx, book_differences) if d.kind != "holdings_mismatch"]


def _users(ctx: HubContext, *names: str) -> None:
    with ctx.sessionmaker() as session:
        for name in names:
            create_user(session, name)


async def test_creating_a_user_twice_returns_the_same_user(hub: HubContext) -> None:
    with hub.sessionmaker() as session:
        first, created = create_user(session, "customer-1")
        again, created_again = create_user(session, "customer-1")
    assert (created, created_again) == (True, False)
    assert first.id == again.id
    assert [e.kind for e in events(hub)] == ["user.created"]


async def test_bad_user_ids_and_unknown_users_are_refused(hub: HubContext) -> None:
    with hub.sessionmaker() as session:
        for bad in ["", "a/b", "x" * 129, " lead", "ünï"]:
            with pytest.raises(HubArgumentError):
                create_user(session, bad)
        with pytest.raises(UserNotFound):
            get_user(session, "nobody")


async def test_users_page_with_a_cursor(hub: HubContext) -> None:
    _users(hub, *(f"u{i:02}" for i in range(7)))
    seen: list[str] = []
    cursor: str | None = None
    with hub.sessionmaker() as session:
        while True:
            rows, cursor = list_users(session, cursor, 3)
            seen += [u.external_id for u in rows]
            if cursor is None:
                break
    assert seen == [f"u{i:02}" for i in range(7)]


async def test_an_empty_pool_refuses_instead_of_deriving_inline(hub: HubContext) -> None:
    _users(hub, "early")
    with hub.sessionmaker() as session:
        user = get_user(session, "early")
        with pytest.raises(AddressPoolEmpty):
            assign_address(session, user)
    await fill_pool(hub)
    first = new_user_address(hub, "a")
    second = new_user_address(hub, "b")
    assert first != second


async def test_a_transfer_moves_balances_atomically_and_once(hub: HubContext) -> None:
    _users(hub, "a", "b", "c")
    _fund(hub, "a", 1000)
    with hub.sessionmaker() as session:
        done = apply_transfer(session, "trade-1", [("a", -600), ("b", 400), ("c", 200)])
        again = apply_transfer(session, "trade-1", [("c", 200), ("a", -600), ("b", 400)])
    assert done.applied_now
    assert not again.applied_now
    assert again.journal_id == done.journal_id
    assert [balance(hub, u) for u in "abc"] == [400, 400, 200]
    assert len(events(hub, ["transfer.applied"])) == 1
    assert _book_errors(hub) == []


@pytest.mark.parametrize(
    ("legs", "error"),
    [
        ([], InvalidTransfer),
        ([("a", 0), ("b", 0)], InvalidTransfer),
        ([("a", -5), ("a", 5)], InvalidTransfer),
        ([("a", -5), ("b", 4)], InvalidTransfer),
        ([("a", -5), ("ghost", 5)], UserNotFound),
        ([("a", -1001), ("b", 1001)], InsufficientBalance),
    ],
)
async def test_bad_transfers_are_refused_and_change_nothing(
    hub: HubContext, legs: list[tuple[str, int]], error: type[Exception]
) -> None:
    _users(hub, "a", "b")
    _fund(hub, "a", 1000)
    before = len(events(hub))
    with hub.sessionmaker() as session, pytest.raises(error):
        apply_transfer(session, "bad", legs)
    assert (balance(hub, "a"), balance(hub, "b")) == (1000, 0)
    assert len(events(hub)) == before


async def test_reusing_a_key_for_another_transfer_is_a_conflict(hub: HubContext) -> None:
    _users(hub, "a", "b")
    _fund(hub, "a", 1000)
    with hub.sessionmaker() as session:
        apply_transfer(session, "k", [("a", -10), ("b", 10)])
        with pytest.raises(IdempotencyConflict):
            apply_transfer(session, "k", [("a", -11), ("b", 11)])
    assert balance(hub, "b") == 10


async def test_the_database_itself_refuses_a_negative_user_balance(hub: HubContext) -> None:
    _users(hub, "a")
    with hub.sessionmaker() as session:
        user = get_user(session, "a")
        overdraw = text("UPDATE ledger_accounts SET available = -1 WHERE account = :a")
        with pytest.raises(IntegrityError):
            session.execute(overdraw, {"a": ledger.user_account(user.id)})
        session.rollback()
        lines = [(ledger.user_account(user.id), 0), (ledger.DEPOSITS_ACCOUNT, 0)]
        ledger.post(session, "deposit", "deposit:dup", lines)
        with pytest.raises(IntegrityError):  # the same journal reference can never be booked twice
            ledger.post(session, "deposit", "deposit:dup", lines)
        session.rollback()


async def test_the_books_self_check_finds_a_tampered_balance(hub: HubContext) -> None:
    _users(hub, "a", "b")
    _fund(hub, "a", 1000)
    with hub.sessionmaker() as session:
        session.execute(
            text("UPDATE ledger_accounts SET available = available + 1 WHERE account = 'hub:deposits'")
        )
        session.commit()
    assert _book_errors(hub) == ["balance_cache_mismatch"]


async def test_concurrent_transfers_never_overdraw_and_keep_the_books_balanced(hub: HubContext) -> None:
    names = [f"t{i}" for i in range(4)]
    _users(hub, *names)
    for n in names:
        _fund(hub, n, 100)
    errors: list[str] = []

    def trader(worker: int) -> None:
        for k in range(15):
            src, dst = names[(worker + k) % 4], names[(worker + k + 1) % 4]
            with hub.sessionmaker() as session:
                try:
                    apply_transfer(session, f"w{worker}-{k}", [(src, -30), (dst, 30)])
                except InsufficientBalance:
                    errors.append("insufficient")

    threads = [threading.Thread(target=trader, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    balances = [balance(hub, n) for n in names]
    assert all(b >= 0 for b in balances)
    assert sum(balances) == 400
    applied = len(events(hub, ["transfer.applied"]))
    assert applied + len(errors) == 60
    assert _book_errors(hub) == []
    seqs = [e.seq for e in events(hub)]
    assert seqs == list(range(1, len(seqs) + 1))
    legs = [json.dumps(e.data) for e in events(hub, ["transfer.applied"])]
    assert len(set(legs)) == applied
