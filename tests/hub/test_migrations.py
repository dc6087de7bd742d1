"""The migrations: runnable with no alembic.ini, idempotent, and the schema they build is exactly the one the
table models describe (Alembic's autogenerate comparison finds nothing to change), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import tanglehub.hub.models  # noqa: F401 - registers every table
from tanglehub.hub.db import make_engine, migrate
from tanglehub.hub.models.base import Base
from tanglehub.hub.settings import HubSettings


def test_the_migrated_schema_matches_the_models(tmp_path: Path, database_url: str | None) -> None:
    engine = make_engine(HubSettings(data_dir=tmp_path, database_url=database_url))
    try:
        migrate(engine)
        migrate(engine)  # a second start changes nothing
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            tables = set(inspect(conn).get_table_names())
        assert diffs == []
        assert {"users", "deposit_addresses", "deposits", "journal_lines", "ledger_accounts", "events"} <= tables
    finally:
        engine.dispose()


def test_the_sqlite_data_is_private_to_its_owner(tmp_path: Path) -> None:
    data = tmp_path / "hub"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    engine = make_engine(HubSettings(data_dir=data))
    try:
        migrate(engine)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            files = sorted(p.name for p in data.iterdir())
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
    finally:
        engine.dispose()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert "hub.db" in files
    assert all(mode == 0o600 for mode in modes.values()), modes
    # looser modes left by an older hub are tightened at the next start
    os.chmod(data, 0o755)
    os.chmod(data / "hub.db", 0o644)
    make_engine(HubSettings(data_dir=data)).dispose()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "hub.db").stat().st_mode) == 0o600
