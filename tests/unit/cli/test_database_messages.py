"""The words :mod:`tanglehub.cli.database_errors` puts on the ``error:`` line: the database by host, port and
name, never a password (in the URL's user part or its query string, even when the driver's own message repeats
it), libpq's preamble dropped; errors of psycopg itself (the API's read pool) are translated too, anything else
is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tanglehub.cli.database_errors import database_error, describe_database
from tanglehub.hub.settings import HubSettings

SECRET = "pw-Zq81"
"""A made-up password that must never be printed."""


def _settings(url: str | None) -> HubSettings:
    return HubSettings(data_dir=Path("/srv/hub"), database_url=url)


@pytest.mark.parametrize(
    ("url", "described"),
    [
        (
            f"postgresql+psycopg://hub:{SECRET}@db.example:6543/custody",
            "PostgreSQL database 'custody' at db.example:6543",
        ),
        (
            f"postgresql+psycopg://hub@db.example/custody?password={SECRET}",
            "PostgreSQL database 'custody' at db.example:5432",
        ),
        ("postgresql+psycopg:///custody", "PostgreSQL database 'custody' at the local socket"),
        (None, "SQLite file /srv/hub/hub.db"),
    ],
)
def test_the_database_is_described_without_its_password(url: str | None, described: str) -> None:
    assert describe_database(_settings(url)) == described


def test_a_psycopg_error_is_translated_and_its_password_hidden() -> None:
    psycopg = pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://hub:{SECRET}@db.example:6543/custody"
    raw = psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.5", port 6543 failed: FATAL:  password '
        f'authentication failed for user "hub" ({SECRET})\nmore detail'
    )
    error = database_error(raw, _settings(url))
    assert error is not None
    assert str(error) == (
        "cannot connect to the hub's database (PostgreSQL database 'custody' at db.example:6543): password "
        'authentication failed for user "hub" (***); check TANGLEHUB_HUB_DATABASE_URL / database_url'
    )


def test_other_errors_are_left_alone() -> None:
    assert database_error(ValueError("no"), _settings("postgresql+psycopg://hub@db/custody")) is None
    assert database_error(KeyError("x"), _settings(None)) is None
