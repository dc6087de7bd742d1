"""The API's read path (:mod:`tanglehub.hub.reader`): the same balances as the session path on SQLite and
PostgreSQL, never a write, and a PostgreSQL connection cut by the server survived."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import text

from tanglehub.hub.context import HubContext
from tanglehub.hub.errors import UserNotFound
from tanglehub.hub.ledger import repository, service
from tanglehub.hub.ledger.repository import DEPOSITS_ACCOUNT, user_account
from tanglehub.hub.reader import open_reader
from tanglehub.hub.settings import HubSettings
from tanglehub.hub.users.service import create_user

pytestmark = pytest.mark.asyncio


def _fund(hub: HubContext, user_id: str, amount: int) -> None:
    """Credit ``amount`` to a new user as a deposit booking would (journal + cached balance)."""
    with hub.sessionmaker() as session:
        user, _ = create_user(session, user_id)
        session.commit()
    with hub.sessionmaker() as session:
        repository.post(
            session,
            "deposit",
            f"deposit:test-{user_id}",
            [(user_account(user.id), amount), (DEPOSITS_ACCOUNT, -amount)],
        )
        session.commit()


async def test_reader_balance_equals_session_balance(hub: HubContext) -> None:
    _fund(hub, "alice", 1_234_567)
    _fund(hub, "bob", 0)
    for user_id in ("alice", "bob"):
        with hub.sessionmaker() as session:
            expected = service.balance_of_user(session, user_id)
        assert await service.read_balance_of_user(hub.reader, user_id) == expected
    assert await service.read_balance_of_user(hub.reader, "alice") == (1_234_567, 0)
    with pytest.raises(UserNotFound, match="nobody"):
        await service.read_balance_of_user(hub.reader, "nobody")


async def test_reader_sees_a_commit_at_once(hub: HubContext) -> None:
    """Autocommit reads: a balance committed by another session is visible to the very next read."""
    _fund(hub, "carol", 10)
    assert await service.read_balance_of_user(hub.reader, "carol") == (10, 0)
    with hub.sessionmaker() as session:
        carol = session.execute(text("SELECT id FROM users WHERE external_id = 'carol'")).scalar_one()
        repository.post(session, "deposit", "deposit:again", [(user_account(carol), 5), (DEPOSITS_ACCOUNT, -5)])
        session.commit()
    assert await service.read_balance_of_user(hub.reader, "carol") == (15, 0)


async def test_sqlite_reader_cannot_write(hub: HubContext, db_kind: str) -> None:
    if db_kind != "sqlite":
        pytest.skip("the query_only guard is SQLite's")
    with pytest.raises(Exception, match=r"readonly|read-only|query_only"):
        await hub.reader.first(text("DELETE FROM users"))
    with hub.sessionmaker() as session:
        assert session.execute(text("SELECT count(*) FROM users")).scalar_one() >= 0


async def test_postgres_reader_survives_a_killed_connection(hub: HubContext, hub_settings: HubSettings) -> None:
    if hub_settings.database_url is None:
        pytest.skip("PostgreSQL only: the server cutting a pooled connection")
    _fund(hub, "dave", 42)
    name = f"reader-test-{uuid.uuid4().hex[:12]}"
    reader = open_reader(
        replace(hub_settings, database_url=f"{hub_settings.database_url}&application_name={name}")
    )
    await reader.open()
    try:
        assert await service.read_balance_of_user(reader, "dave") == (42, 0)
        # the server ends this reader's pooled connections (as a restart or an idle cut would)
        with hub.engine.connect() as conn:
            killed = conn.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :n"),
                {"n": name},
            ).scalar_one()
        assert killed >= 1
        assert await service.read_balance_of_user(reader, "dave") == (42, 0)
    finally:
        await reader.aclose()


async def test_reader_keeps_libpq_options_of_the_url(hub_settings: HubSettings) -> None:
    """The tests' PostgreSQL URLs carry ``options=-csearch_path=...``: the reader keeps it beside its own
    statement timeout (else it would read another schema's tables)."""
    if hub_settings.database_url is None:
        pytest.skip("PostgreSQL only")
    reader = open_reader(hub_settings)
    await reader.open()
    try:
        row = await reader.first(
            text(
                "SELECT current_setting('search_path'), current_setting('statement_timeout'), "
                "current_setting('application_name')"
            )
        )
        assert row is not None
        assert row[0].startswith("t_")
        assert row[1] == "5s"
        assert row[2] == "tanglehub-reader"
    finally:
        await reader.aclose()
