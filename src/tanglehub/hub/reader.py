"""``Reader``: single-statement reads for the API's hottest routes, without a thread hop or a transaction.

The API's routes normally run a synchronous :class:`~sqlalchemy.orm.Session` in FastAPI's threadpool. For a
read that is one indexed statement (a user's balance) that path costs more than the query: two thread hops
with the GIL handed back and forth, a ``BEGIN``/``ROLLBACK`` pair around one ``SELECT``, an ORM session built
and torn down, and the statement itself built anew. Measured on a 2-core 2.1 GHz machine (bench/hub.py,
SQLite, wrk): 404 balance reads/s through the session path, about 1,850-2,000 through this one.

A :class:`Reader` runs one statement (written with SQLAlchemy in a repository, built once) in autocommit mode
(a single statement is its own consistent snapshot, so nothing is lost by skipping the transaction):

* **SQLite**: on the event loop itself, through its own small SQLAlchemy pool. A WAL reader never waits for a
  writer and an indexed point read from the page cache takes less time (~80 µs) than a thread hop; the
  connections are opened ``query_only``, so this path can never write.
* **PostgreSQL**: on psycopg's asyncio driver through a ``psycopg_pool.AsyncConnectionPool``, so the event
  loop serves other requests while the server answers and never blocks on the network. Per read ~0.13 ms of
  client CPU, where SQLAlchemy's asyncio layer over the same driver measured ~0.5-0.7 ms and a blocking
  SQLAlchemy connection ~0.15-0.25 ms (/work/notes figures in the hub issue's closing note). The statement
  is compiled once for PostgreSQL by SQLAlchemy. Connections open within :data:`CONNECT_TIMEOUT`, each
  statement is cut off after :data:`STATEMENT_TIMEOUT_MS`, and a read that finds its connection broken (a
  restarted server) has the pool test its idle connections and is retried once.

Only bounded, indexed statements belong here; anything that scans or writes goes through a session. Results
are the driver's values (ints, strings), not ORM objects.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Executable, create_engine, event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, make_url
from sqlalchemy.sql import ClauseElement

from tanglehub.errors import ConfigError
from tanglehub.hub.db import database_url, sqlite_pragmas
from tanglehub.hub.settings import HubSettings

if TYPE_CHECKING:
    from psycopg_pool import AsyncConnectionPool

__all__ = ["CONNECT_TIMEOUT", "READ_POOL_SIZE", "STATEMENT_TIMEOUT_MS", "Reader", "open_reader"]

READ_POOL_SIZE = 8
"""Connections a reader keeps open at most (on PostgreSQL, the reads in flight at once in one process)."""
CONNECT_TIMEOUT = 5
"""Seconds a new PostgreSQL connection may take before the read fails."""
STATEMENT_TIMEOUT_MS = 5000
"""Milliseconds one read may run on PostgreSQL before the server cancels it."""

_PG_DIALECT = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]


def _query_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


class Reader:
    """Autocommit single-statement reads (see the module docstring). Make one with :func:`open_reader`."""

    def __init__(self, *, sqlite: Engine | None = None, postgres: AsyncConnectionPool | None = None) -> None:
        if (sqlite is None) == (postgres is None):
            raise ValueError("a Reader needs exactly one of sqlite (an Engine) and postgres (a connection pool)")
        self._sqlite = sqlite
        self._postgres = postgres
        self._compiled: dict[int, tuple[Executable, str, dict[str, Any]]] = {}

    async def first(self, statement: Executable, params: Mapping[str, Any] | None = None) -> Sequence[Any] | None:
        """The first row ``statement`` returns with ``params`` bound, or None when it returns none.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: SQLite failed (the API answers 503 when it is unavailable).
            psycopg.Error: PostgreSQL failed or refused the statement, after one retry on a fresh connection
                when the first one was broken; ``psycopg_pool.PoolTimeout`` when no connection could be had
                within :data:`CONNECT_TIMEOUT` (the API answers 503 with ``Retry-After`` for both).
        """
        if self._sqlite is not None:
            with self._sqlite.connect() as connection:
                return connection.execute(statement, params).first()
        sql, defaults = self._postgres_sql(statement)
        values = {**defaults, **(params or {})}
        return await self._postgres_first(sql, values, retry=True)

    def _postgres_sql(self, statement: Executable) -> tuple[str, dict[str, Any]]:
        found = self._compiled.get(id(statement))
        if found is None or found[0] is not statement:
            if not isinstance(statement, ClauseElement):
                raise TypeError(f"a Reader runs SQLAlchemy statements, not {type(statement).__name__}")
            compiled = statement.compile(dialect=_PG_DIALECT)
            found = (statement, str(compiled), dict(compiled.params))
            self._compiled[id(statement)] = found
        return found[1], found[2]

    async def _postgres_first(self, sql: str, values: dict[str, Any], *, retry: bool) -> Sequence[Any] | None:
        import psycopg  # noqa: PLC0415 - only on PostgreSQL
        from psycopg_pool import PoolTimeout  # noqa: PLC0415

        assert self._postgres is not None
        try:
            async with self._postgres.connection() as connection:
                cursor = await connection.execute(sql, values)
                return await cursor.fetchone()
        except psycopg.OperationalError as exc:
            # the server closed a connection (restart, idle cut): the pool discards it; the others may be gone
            # too, so test every idle one (a round trip each, only on this path) and retry once. No connection
            # to be had within the timeout (PoolTimeout) is not retried: the API answers 503 at once.
            if not retry or isinstance(exc, PoolTimeout):
                raise
            await self._postgres.check()
            return await self._postgres_first(sql, values, retry=False)

    async def open(self) -> None:
        """Open the PostgreSQL pool's connections in the background (SQLite: nothing to do). Call it from the
        event loop that will use the reader; reads before it completes wait for a connection."""
        if self._postgres is not None:
            await self._postgres.open(wait=False)

    async def aclose(self) -> None:
        """Close every pooled connection."""
        if self._postgres is not None:
            await self._postgres.close()
        if self._sqlite is not None:
            self._sqlite.dispose()


def _libpq_conninfo(url: URL) -> dict[str, Any]:
    """psycopg connection keywords of a ``postgresql+psycopg://`` URL, with the read timeouts added."""
    kwargs: dict[str, Any] = {
        key: value
        for key, value in {
            "host": url.host,
            "port": url.port,
            "user": url.username,
            "password": url.password,
            "dbname": url.database,
        }.items()
        if value is not None
    }
    for key, value in url.query.items():
        kwargs[key] = value if isinstance(value, str) else value[-1]
    # the URL may carry libpq options of its own (a search_path, say): keep them and add the timeout
    kwargs["options"] = " ".join(
        filter(None, [str(kwargs.get("options", "")), f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"])
    )
    kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT)
    kwargs.setdefault("application_name", "tanglehub-reader")  # what pg_stat_activity shows for these
    return kwargs


def open_reader(settings: HubSettings, *, pool_size: int = READ_POOL_SIZE) -> Reader:
    """A :class:`Reader` on the hub's database (the same URL as :func:`tanglehub.hub.db.make_engine`). Opens no
    connection yet (see :meth:`Reader.open`).

    Raises:
        ConfigError: PostgreSQL without the ``psycopg_pool`` package (``pip install 'tanglehub[postgres]'``).
    """
    url = make_url(database_url(settings))
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            isolation_level="AUTOCOMMIT",
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", sqlite_pragmas)
        event.listen(engine, "connect", _query_only)
        return Reader(sqlite=engine)
    if importlib.util.find_spec("psycopg_pool") is None:
        raise ConfigError(
            "the hub on PostgreSQL needs the psycopg_pool package (its API's read pool): "
            "pip install 'tanglehub[postgres]'"
        )
    from psycopg_pool import AsyncConnectionPool  # noqa: PLC0415 - only on PostgreSQL

    pool = AsyncConnectionPool(
        min_size=1,
        max_size=pool_size,
        open=False,
        kwargs={**_libpq_conninfo(url), "autocommit": True},
        timeout=CONNECT_TIMEOUT,
        name="tanglehub-reader",
    )
    return Reader(postgres=pool)
