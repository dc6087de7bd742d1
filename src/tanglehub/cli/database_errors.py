"""The hub's database failing at the command line: one actionable ``error:`` line (exit 2), not "unexpected
OperationalError (a bug in tanglehub ...)".

An unreachable or misconfigured database (PostgreSQL down or at the wrong port, a database or role that does
not exist, a bad ``sslmode``, a user that may not create the hub's tables; SQLite in a folder that cannot be
written) surfaces as a driver error from SQLAlchemy (``OperationalError``, ``InterfaceError``, a
``ProgrammingError`` for missing privileges) or, on the API's read pool, from psycopg itself.
:func:`database_errors` turns those into a :class:`~tanglehub.errors.ConfigError` that names the database
(PostgreSQL by host, port and database name only, never the URL: it may carry a password) and what to check.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from tanglehub.errors import ConfigError
from tanglehub.hub.settings import HubSettings

__all__ = ["check_database_url", "database_error", "database_errors", "describe_database"]

URL_HINT = "check TANGLEHUB_HUB_DATABASE_URL / database_url"
"""Where a PostgreSQL hub's database is configured."""
SQLITE_HINT = "check --data-dir / TANGLEHUB_HUB_DATA_DIR"
"""Where a SQLite hub's database lives."""
_DEFAULT_PG_PORT = 5432

_PREFIXES = re.compile(
    r"^(?:connection failed: |connection is bad: )?"
    r"(?:connection to server (?:at|on) \"[^\"]*\"(?: \([^)]*\))?, port \d+ failed: )?"
    r"(?:FATAL: +)?"
)


def check_database_url(settings: HubSettings) -> None:
    """Refuse a ``database_url`` SQLAlchemy cannot parse (a port that is not a number, say) in one line.

    Raises:
        ConfigError: the URL does not parse; the message does not repeat it (it may carry a password).
    """
    if not settings.database_url:
        return
    try:
        make_url(settings.database_url).port  # noqa: B018 - parsing the port is the check
    except (sa_exc.ArgumentError, ValueError):
        raise ConfigError(
            "database_url is not a valid URL (expected postgresql+psycopg://user@host:port/dbname); " + URL_HINT
        ) from None


def describe_database(settings: HubSettings) -> str:
    """The hub's database in words, safe to print: ``PostgreSQL database 'hub' at db.example:5432`` or
    ``SQLite file <data_dir>/hub.db``. Never the URL itself (its password, or one in its query string)."""
    if not settings.database_url:
        return f"SQLite file {Path(settings.data_dir) / 'hub.db'}"
    try:
        url = make_url(settings.database_url)
        host, port, database = url.host, url.port, url.database
    except (sa_exc.ArgumentError, ValueError):
        return "PostgreSQL"
    where = f" at {host or 'the local socket'}" + (f":{port or _DEFAULT_PG_PORT}" if host else "")
    return f"PostgreSQL database {database!r}{where}" if database else f"PostgreSQL{where}"


def _reason(orig: BaseException, secrets: list[str]) -> str:
    """The driver's first line without libpq's 'connection to server at ... failed: FATAL:' preamble, and with
    anything secret blanked."""
    lines = str(orig).strip().splitlines()
    text = _PREFIXES.sub("", lines[0].strip()) if lines else ""
    for secret in secrets:
        text = text.replace(secret, "***")
    if text[:1].isupper() and text[1:2].islower():
        text = text[0].lower() + text[1:]
    return text or type(orig).__name__


def _secrets(settings: HubSettings) -> list[str]:
    if not settings.database_url:
        return []
    try:
        url = make_url(settings.database_url)
    except (sa_exc.ArgumentError, ValueError):
        return []
    found = [url.password] if url.password else []
    value = url.query.get("password")
    found += [value] if isinstance(value, str) else list(value or ())
    return [s for s in found if s]


def _driver_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(connection errors, privilege errors) of psycopg and psycopg_pool, when they are loaded at all (they are
    optional: a hub on SQLite never imports them, and then none of their errors can have been raised)."""
    connection: list[type[BaseException]] = []
    privilege: list[type[BaseException]] = []
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        connection += [psycopg.OperationalError, psycopg.InterfaceError]
        privilege.append(psycopg.errors.InsufficientPrivilege)
    pool = sys.modules.get("psycopg_pool")
    if pool is not None:
        connection.append(pool.PoolTimeout)
    return tuple(connection), tuple(privilege)


def database_error(exc: BaseException, settings: HubSettings) -> ConfigError | None:
    """The one-line error for ``exc`` when it says the hub's database is unreachable or refuses the hub (see the
    module docstring); None for any other exception."""
    connection, privilege = _driver_errors()
    orig = exc.orig if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None else exc
    what = describe_database(settings)
    hint = URL_HINT if settings.database_url else SQLITE_HINT
    if isinstance(orig, privilege) and isinstance(exc, (sa_exc.ProgrammingError, *privilege)):
        return ConfigError(
            f"the hub's database ({what}) refused the hub: {_reason(orig, _secrets(settings))}; the user in "
            f"database_url needs the right to create tables in the database (or its schema); {URL_HINT}"
        )
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, *connection)):
        verb = "connect to" if settings.database_url else "use"
        return ConfigError(
            f"cannot {verb} the hub's database ({what}): {_reason(orig, _secrets(settings))}; {hint}"
        )
    return None


@contextlib.contextmanager
def database_errors(settings: HubSettings) -> Iterator[None]:
    """Inside, an unreachable or refusing database (see :func:`database_error`) raises
    :class:`~tanglehub.errors.ConfigError` instead; any other exception passes unchanged."""
    try:
        yield
    except Exception as exc:
        error = database_error(exc, settings)
        if error is None:
            raise
        raise error from None
