"""The migrations: runnable with no alembic.ini, idempotent, and the schema they build is exactly the one the
table models describe (Alembic's autogenerate comparison finds nothing to change), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

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
