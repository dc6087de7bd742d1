"""The SQLite write queue and the pool's index read: writers of one process take turns, and the lock is
always given back when a transaction ends (commit, rollback or close)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from tanglehub.hub.addresses import repository as addresses
from tanglehub.hub.db import lock_writes, make_engine, make_sessionmaker, migrate
from tanglehub.hub.settings import HubSettings


def _sessionmaker(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(HubSettings(data_dir=tmp_path, node_urls=("http://127.0.0.1:1",)))
    migrate(engine)
    return engine, make_sessionmaker(engine)


def test_every_way_a_write_transaction_ends_lets_the_next_writer_in(tmp_path: Path) -> None:
    engine, sessions = _sessionmaker(tmp_path)
    for end in ("commit", "rollback", "close"):
        session = sessions()
        lock_writes(session)
        getattr(session, end)()
        other = sessions()
        done = threading.Event()

        def write(s=other, flag=done) -> None:  # type: ignore[no-untyped-def]
            lock_writes(s)
            s.commit()
            flag.set()

        worker = threading.Thread(target=write)
        worker.start()
        worker.join(10)
        assert done.is_set(), f"a writer waited after the previous transaction's {end}"
        other.close()
    engine.dispose()


def test_a_second_writer_waits_until_the_first_commits(tmp_path: Path) -> None:
    engine, sessions = _sessionmaker(tmp_path)
    first = sessions()
    lock_writes(first)
    first.execute(text("UPDATE scanner_state SET value = value + 1 WHERE name = 'write_guard'"))
    order: list[str] = []
    second = sessions()

    def write() -> None:
        lock_writes(second)
        order.append("second")
        second.commit()

    worker = threading.Thread(target=write)
    worker.start()
    worker.join(0.3)
    order.append("first")
    first.commit()
    worker.join(10)
    assert order == ["first", "second"]
    first.close()
    second.close()
    engine.dispose()


def test_the_pool_takes_the_lowest_free_address_through_its_partial_index(tmp_path: Path) -> None:
    engine, sessions = _sessionmaker(tmp_path)
    with sessions() as session:
        user_id = session.execute(text("INSERT INTO users (external_id, created_at) VALUES ('u', 0) RETURNING id"))
        uid = int(user_id.scalar_one())
        for i in range(5):
            session.execute(
                text("INSERT INTO deposit_addresses (address_index, address_hash, bech32) VALUES (:i, :h, :b)"),
                {"i": i, "h": bytes([i]) * 32, "b": f"tst1q{i}"},
            )
        session.commit()
        first = addresses.assign_lowest(session, uid, 1)
        second = addresses.assign_lowest(session, uid, 2)
        session.commit()
        assert first is not None
        assert second is not None
        assert (first.address_index, first.user_id, first.assigned_at) == (0, uid, 1)
        assert (second.address_index, second.assigned_at) == (1, 2)
        assert addresses.lowest_unassigned(session) == 2
        plan = session.execute(text("EXPLAIN QUERY PLAN " + str(addresses._LOWEST_UNASSIGNED_SQLITE))).fetchall()
    assert any("ix_deposit_addresses_unassigned" in str(row) for row in plan)
    assert not any("TEMP B-TREE" in str(row) for row in plan)  # no sort of every pool row
    engine.dispose()
