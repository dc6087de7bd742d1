"""Database engine, sessions, migrations and the write guard.

* :func:`make_engine`: SQLite at ``<data_dir>/hub.db`` (WAL journal, foreign keys on, 30 s busy timeout) unless
  ``settings.database_url`` names another database (PostgreSQL: ``postgresql+psycopg://user@host/db``).
* :func:`make_sessionmaker`: synchronous :class:`~sqlalchemy.orm.Session` factory (``expire_on_commit=False``).
* :func:`migrate`: Alembic ``upgrade head`` from the package's own ``migrations`` folder (no alembic.ini).
* :func:`lock_writes`: every write transaction calls it first. It serializes writers so that event sequence
  numbers are assigned in commit order and balance checks see every earlier commit: on PostgreSQL a
  transaction-scoped advisory lock, on SQLite a write to a guard row (which takes SQLite's single write lock at
  the start of the transaction, so a deferred transaction never fails to upgrade later).
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from tanglehub.hub.settings import HubSettings

__all__ = [
    "DATA_DIR_MODE",
    "DB_FILE_MODE",
    "POOL_SIZE",
    "WRITE_LOCK_KEY",
    "is_postgres",
    "lock_writes",
    "make_engine",
    "make_sessionmaker",
    "migrate",
    "now_ms",
    "secure_data_dir",
    "sqlite_pragmas",
]

WRITE_LOCK_KEY = 7001
"""PostgreSQL advisory lock key (transaction-scoped) that serializes the hub's write transactions. Every hub
advisory lock uses the two-key form ``(key, hashtext(current_schema()))``, so hubs in different schemas of one
database never block each other."""
MIGRATE_LOCK_KEY = 7002
_XACT_LOCK = text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))")
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def now_ms() -> int:
    """The current Unix time in milliseconds (what every ``created_at`` column stores)."""
    return int(time.time() * 1000)


def database_url(settings: HubSettings) -> str:
    """The SQLAlchemy URL the hub uses: ``settings.database_url`` or SQLite at ``<data_dir>/hub.db``."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{(Path(settings.data_dir) / 'hub.db').resolve()}"


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """The hub's SQLite settings on a new connection: WAL, foreign keys, 30 s busy timeout, synchronous NORMAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


DATA_DIR_MODE = 0o700
"""The mode of the hub's data directory (it holds the database with webhook secrets, and the vault)."""
DB_FILE_MODE = 0o600
"""The mode of ``hub.db`` and its ``-wal`` / ``-shm`` files (SQLite gives these the database file's mode)."""
POOL_SIZE = 20
"""Connections each hub process keeps open: at least as many as requests the API serves at once (its
threadpool), so that a busy API reuses connections; a smaller pool made every request beyond it open and
close an overflow connection (on SQLite, with its four PRAGMAs), which cost more than the query."""


def secure_data_dir(data_dir: Path | str, *, sqlite: bool = True) -> Path:
    """Create ``data_dir`` (mode 0700) if missing and tighten what is there: the directory to 0700 and the
    SQLite files ``hub.db``, ``hub.db-wal``, ``hub.db-shm`` to 0600 (``hub.db`` is created empty with 0600
    when missing and ``sqlite``, so SQLite never makes it world-readable). Returns the directory."""
    root = Path(data_dir)
    root.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(root, DATA_DIR_MODE)
    database = root / "hub.db"
    if sqlite and not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, DB_FILE_MODE))
    for name in ("hub.db", "hub.db-wal", "hub.db-shm"):
        path = root / name
        if path.exists():
            os.chmod(path, DB_FILE_MODE)
    return root


def make_engine(settings: HubSettings, *, pool_size: int = POOL_SIZE) -> Engine:
    """A SQLAlchemy engine for the hub's database (see the module docstring); for SQLite, creates ``data_dir``
    0700 and ``hub.db`` 0600 and tightens looser modes found there (:func:`secure_data_dir`). Both kinds keep
    ``pool_size`` connections open and allow 20 more at peaks."""
    url = database_url(settings)
    if url.startswith("sqlite"):
        secure_data_dir(settings.data_dir)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=pool_size, max_overflow=20
        )
        event.listen(engine, "connect", sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


def is_postgres(engine: Engine) -> bool:
    """True when ``engine`` talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """The hub's synchronous session factory on ``engine``."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """An Alembic config in code (no alembic.ini) pointing at the package's migrations, bound to ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the database schema to the newest revision (Alembic ``upgrade head``); safe to run every start."""
    with engine.begin() as connection:
        if is_postgres(engine):
            # two processes starting together must not both create the tables
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": MIGRATE_LOCK_KEY}
            )
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


_LOCKED = "tanglehub.write_locked"
"""``session.info`` flag: this session's current transaction holds the write guard (cleared when it ends)."""


_QUEUED = "tanglehub.write_queue"
"""``session.info``: the in-process writer queue (a lock) this SQLite transaction holds, released when it ends."""
_WRITE_QUEUES: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_WRITE_QUEUES_LOCK = threading.Lock()


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction_state(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_LOCKED, None)
        session.info.pop("tanglehub.event_seq", None)
        queued = session.info.pop(_QUEUED, None)
        if queued is not None:
            queued.release()


def _write_queue(engine: Engine) -> threading.Lock:
    with _WRITE_QUEUES_LOCK:
        lock = _WRITE_QUEUES.get(engine)
        if lock is None:
            lock = _WRITE_QUEUES[engine] = threading.Lock()
        return lock


def _queue_sqlite_writer(session: Session) -> None:
    """Let this process's SQLite writers wait their turn on a lock instead of in SQLite's busy handler.

    SQLite's busy handler polls with sleeps growing to 100 ms, so under a burst of writes from many threads a
    waiter could lose the race again and again (p99 above 1 s for deposit-address creations). Taken only by
    a transaction that has not written yet (one that already holds SQLite's write lock must not wait behind
    one that waits for it), at most 30 s (then SQLite's own lock alone decides); released when the
    transaction ends. SQLite's lock still serializes writers across processes.
    """
    connection = session.connection()  # begins the session transaction, so its end releases the lock
    if connection.connection.dbapi_connection is None or getattr(
        connection.connection.dbapi_connection, "in_transaction", True
    ):
        return
    lock = _write_queue(connection.engine)
    if lock.acquire(timeout=30):
        session.info[_QUEUED] = lock


def lock_writes(session: Session) -> None:
    """Serialize this write transaction with every other hub writer (held until commit or rollback).

    Re-entrant: a transaction that holds the guard does not ask again.
    """
    if session.info.get(_LOCKED):
        return
    session.info[_LOCKED] = True
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(_XACT_LOCK, {"k": WRITE_LOCK_KEY})
    else:
        _queue_sqlite_writer(session)
        session.execute(text("UPDATE scanner_state SET value = value + 1 WHERE name = 'write_guard'"))
