"""The wallet state store: schema version, transactions (all or nothing), outbox events, reservations."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, ExpirationUnlockCondition
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload
from tanglehub.protocol.unlock import Ed25519Signature, SignatureUnlock
from tanglehub.wallet.errors import (
    AccountAliasTakenError,
    OutputReservedError,
    SchemaVersionError,
    StorageError,
    WalletClosedError,
)
from tanglehub.wallet.storage import WalletStore
from tanglehub.wallet.storage_schema import SCHEMA_VERSION, AddressRecord, OutputRecord


def _output(h: bytes, amount: int = 1_000_000) -> BasicOutput:
    return BasicOutput(amount=amount, unlock_conditions=(AddressUnlockCondition(Ed25519Address(h)),))


def _record(oid: bytes, h: bytes, account: int = 0, amount: int = 1_000_000) -> OutputRecord:
    return OutputRecord(oid, account, h, _output(h, amount), b"\x01" * 32, 5, 1_700_000_000)


def _payload(seed: int = 1) -> TransactionPayload:
    h = bytes([seed]) * 32
    essence = TransactionEssence(
        network_id=123,
        inputs=(UtxoInput(bytes([seed]) * 32, 0),),
        inputs_commitment=bytes(32),
        outputs=(_output(h),),
    )
    return TransactionPayload(essence, (SignatureUnlock(Ed25519Signature(bytes(32), bytes(64))),))


@pytest.fixture
def store(tmp_path: Path):
    s = WalletStore.open(tmp_path / "wallet.db", create=True)
    yield s
    s.close()


def test_new_database_is_owner_only_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "wallet.db"
    WalletStore.open(path, create=True).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    reopened = WalletStore.open(path)
    assert reopened.read_sync(lambda tx: tx.get_meta("schema_version")) == str(SCHEMA_VERSION)
    reopened.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wallet.db"
    WalletStore.open(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaVersionError, match="newer"):
        WalletStore.open(path)


def test_version_1_database_is_migrated_on_open_and_keeps_its_outputs(tmp_path: Path) -> None:
    path = tmp_path / "wallet.db"
    store = WalletStore.open(path, create=True)
    store.write_sync(lambda tx: tx.create_account("main"))
    store.write_sync(lambda tx: tx.insert_output(_record(b"\x07" * 34, b"\x02" * 32, amount=5_000_000)))
    store.close()
    conn = sqlite3.connect(path)  # what a version-1 wallet looked like: no selection index
    conn.execute("DROP INDEX outputs_for_selection")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    reopened = WalletStore.open(path)
    try:
        assert reopened.read_sync(lambda tx: tx.get_meta("schema_version")) == str(SCHEMA_VERSION)
        (record,) = reopened.read_sync(lambda tx: tx.unspent_by_amount(0, limit=10))
        assert record.amount == 5_000_000
    finally:
        reopened.close()
    conn = sqlite3.connect(path)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert "outputs_for_selection" in indexes


def test_unspent_by_amount_pages_largest_first(store: WalletStore) -> None:
    store.write_sync(lambda tx: tx.create_account("main"))
    amounts = [3_000_000, 9_000_000, 1_000_000, 9_000_000, 5_000_000]
    for i, amount in enumerate(amounts):
        store.write_sync(
            lambda tx, i=i, a=amount: tx.insert_output(_record(bytes([i]) * 34, b"\x02" * 32, amount=a))
        )
    store.write_sync(
        lambda tx: tx.mark_output_spent(bytes([2]) * 34, tx_id=None, milestone_index=None, timestamp=None)
    )
    first = store.read_sync(lambda tx: tx.unspent_by_amount(0, limit=2))
    rest = store.read_sync(lambda tx: tx.unspent_by_amount(0, limit=10, offset=2))
    assert [(r.amount, r.output_id[0]) for r in first] == [(9_000_000, 1), (9_000_000, 3)]
    assert [r.amount for r in rest] == [5_000_000, 3_000_000]


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(SchemaVersionError, match="not a tanglehub wallet"):
        WalletStore.open(path)
    with pytest.raises(StorageError, match="no wallet database"):
        WalletStore.open(tmp_path / "missing.db")


async def test_failed_write_changes_nothing_and_emits_no_event(store: WalletStore) -> None:
    seen: list[int] = []
    store.add_commit_listener(seen.append)

    def broken(tx):
        tx.create_account("alice")
        tx.add_event_raw("NewOutput", {"x": 1}, 0)
        raise RuntimeError("crash in the middle")

    with pytest.raises(RuntimeError):
        await store.write(broken)
    assert await store.read(lambda tx: tx.accounts()) == []
    assert await store.read(lambda tx: tx.events_after(0)) == []
    assert seen == []

    def good(tx):
        tx.create_account("alice")
        return tx.add_event_raw("NewOutput", {"x": 1}, 0)

    seq = await store.write(good)
    assert seen == [seq]
    [event] = await store.read(lambda tx: tx.events_after(0))
    assert (event.seq, event.kind, event.payload) == (seq, "NewOutput", {"x": 1})


async def test_accounts_count_up_and_aliases_are_unique(store: WalletStore) -> None:
    a = await store.write(lambda tx: tx.create_account("alice"))
    b = await store.write(lambda tx: tx.create_account("bob"))
    assert (a.index, b.index) == (0, 1)
    with pytest.raises(AccountAliasTakenError, match="alice"):
        await store.write(lambda tx: tx.create_account("alice"))
    assert [x.alias for x in await store.read(lambda tx: tx.accounts())] == ["alice", "bob"]
    assert (await store.read(lambda tx: tx.account_by_alias("bob"))) == b


async def test_outputs_are_stored_once_and_spent_once(store: WalletStore) -> None:
    h = b"\x07" * 32
    await store.write(lambda tx: tx.create_account("a"))
    await store.write(
        lambda tx: tx.insert_addresses([AddressRecord(0, False, 0, h, "tst1xyz", False)]),
    )
    oid = b"\x09" * 32 + b"\x00\x00"
    assert await store.write(lambda tx: tx.insert_output(_record(oid, h))) is True
    assert await store.write(lambda tx: tx.insert_output(_record(oid, h))) is False
    assert (await store.read(lambda tx: tx.address_by_hash(h))).used is True
    first = await store.write(
        lambda tx: tx.mark_output_spent(oid, tx_id=b"\x02" * 32, milestone_index=9, timestamp=5)
    )
    again = await store.write(
        lambda tx: tx.mark_output_spent(oid, tx_id=b"\x02" * 32, milestone_index=9, timestamp=5)
    )
    assert first is not None
    assert first.spent is False
    assert again is None
    rec = await store.read(lambda tx: tx.output(oid))
    assert rec.spent
    assert rec.spent_index == 9
    assert rec.output == _output(h)
    assert await store.read(lambda tx: tx.unspent_output_ids(0)) == set()
    assert [r.output_id for r in await store.read(lambda tx: tx.outputs(0, spent=True))] == [oid]


async def test_reservations_block_a_second_transaction(store: WalletStore) -> None:
    await store.write(lambda tx: tx.create_account("a"))
    oids = [bytes([i]) * 34 for i in range(3)]
    await store.write(lambda tx: tx.reserve_outputs(oids[:2], b"\x01" * 32, 0))
    with pytest.raises(OutputReservedError):
        await store.write(lambda tx: tx.reserve_outputs(oids[1:], b"\x02" * 32, 0))
    assert await store.read(lambda tx: tx.reserved_output_ids()) == set(oids[:2])
    released = await store.write(lambda tx: tx.release_reservations(b"\x01" * 32))
    assert set(released) == set(oids[:2])
    await store.write(lambda tx: tx.reserve_outputs(oids[1:], b"\x02" * 32, 0))
    assert await store.read(lambda tx: tx.reserved_output_ids(0)) == set(oids[1:])


async def test_a_refused_reservation_locks_nothing_even_when_the_caller_goes_on(store: WalletStore) -> None:
    await store.write(lambda tx: tx.create_account("a"))
    oids = [bytes([i]) * 34 for i in range(3)]
    await store.write(lambda tx: tx.reserve_outputs(oids[:1], b"\x01" * 32, 0))

    def try_then_go_on(tx) -> bool:  # type: ignore[no-untyped-def]
        try:
            tx.reserve_outputs(oids, b"\x02" * 32, 0)  # oids[1:] are free, oids[0] is taken
        except OutputReservedError:
            return True
        return False

    assert await store.write(try_then_go_on)
    assert await store.read(lambda tx: tx.reserved_output_ids()) == {oids[0]}
    # reserving again under the same transaction is no conflict (and nothing is doubled)
    await store.write(lambda tx: tx.reserve_outputs(oids[:1], b"\x01" * 32, 0))
    assert [r.tx_id for r in await store.read(lambda tx: tx.reservations())] == [b"\x01" * 32]


async def test_a_reservation_over_several_statements_is_all_or_nothing(store: WalletStore) -> None:
    await store.write(lambda tx: tx.create_account("a"))
    oids = [i.to_bytes(34, "big") for i in range(1100)]  # more than one INSERT's rows
    await store.write(lambda tx: tx.reserve_outputs(oids[700:701], b"\x01" * 32, 0))
    with pytest.raises(OutputReservedError, match="1 output"):
        await store.write(lambda tx: tx.reserve_outputs(oids, b"\x02" * 32, 0))
    assert await store.read(lambda tx: tx.reserved_output_ids()) == {oids[700]}
    # the same transaction locking more of them (some already its own): every one locked once, by it
    await store.write(lambda tx: tx.reserve_outputs(oids[400:1100], b"\x01" * 32, 0))
    reservations = await store.read(lambda tx: tx.reservations())
    assert sorted(r.output_id for r in reservations) == oids[400:1100]
    assert {r.tx_id for r in reservations} == {b"\x01" * 32}
    assert {r.account_index for r in reservations} == {0}
    assert all(abs(r.reserved_at - time.time()) < 600 for r in reservations)


async def test_transactions_round_trip_and_update(store: WalletStore) -> None:
    await store.write(lambda tx: tx.create_account("a"))
    payload = _payload()
    rec = await store.write(lambda tx: tx.insert_transaction(0, payload, note="hello"))
    assert rec.tx_id == payload.transaction_id()
    assert rec.state == "pending"
    with pytest.raises(StorageError, match="already stored"):
        await store.write(lambda tx: tx.insert_transaction(0, payload))
    done = await store.write(
        lambda tx: tx.update_transaction(rec.tx_id, state="confirmed", inclusion_index=7, attempts=1)
    )
    assert (done.state, done.inclusion_index, done.attempts, done.payload) == ("confirmed", 7, 1, payload)
    with pytest.raises(StorageError, match="state must be"):
        await store.write(lambda tx: tx.update_transaction(rec.tx_id, state="lost"))
    assert [t.tx_id for t in await store.read(lambda tx: tx.transactions(0, state="confirmed"))] == [rec.tx_id]


async def test_read_transaction_refuses_writes(store: WalletStore) -> None:
    with pytest.raises(StorageError, match="read-only"):
        await store.read(lambda tx: tx.set_meta("k", "v"))


async def test_event_cursor_only_moves_forward(store: WalletStore) -> None:
    assert await store.read(lambda tx: tx.get_cursor("hub")) == 0
    assert await store.write(lambda tx: tx.set_cursor("hub", 5)) == 5
    assert await store.write(lambda tx: tx.set_cursor("hub", 3)) == 5
    assert await store.read(lambda tx: tx.get_cursor("hub")) == 5


async def test_snapshot_restores_into_a_new_file(store: WalletStore, tmp_path: Path) -> None:
    await store.write(lambda tx: tx.create_account("kept"))
    data = await store.snapshot()
    target = tmp_path / "copy" / "wallet.db"
    target.parent.mkdir()
    WalletStore.install_snapshot(data, target)
    copy = WalletStore.open(target)
    assert [a.alias for a in copy.read_sync(lambda tx: tx.accounts())] == ["kept"]
    copy.close()
    with pytest.raises(StorageError):
        WalletStore.install_snapshot(b"garbage" * 100, tmp_path / "bad.db")


async def test_closed_store_refuses_work(tmp_path: Path) -> None:
    s = WalletStore.open(tmp_path / "w.db", create=True)
    s.close()
    s.close()
    with pytest.raises(WalletClosedError):
        await s.read(lambda tx: tx.accounts())


def _expiring(to: bytes, back: bytes) -> BasicOutput:
    return BasicOutput(
        amount=1_000_000,
        unlock_conditions=(
            AddressUnlockCondition(Ed25519Address(to)),
            ExpirationUnlockCondition(Ed25519Address(back), 1_700_000_300),
        ),
    )


def _two_accounts(tx) -> None:  # type: ignore[no-untyped-def]
    for index, alias in enumerate(("hot", "user-1")):
        tx.create_account(alias)
        h = bytes([0x10 + index]) * 32
        tx.insert_addresses([AddressRecord(index, False, 0, h, Ed25519Address(h).to_bech32("tst"), False)])


def test_an_output_belongs_to_every_account_holding_one_of_its_unlocking_addresses(store: WalletStore) -> None:
    hot, user = b"\x10" * 32, b"\x11" * 32
    store.write_sync(_two_accounts)
    rec = OutputRecord(b"\x07" * 34, 1, user, _expiring(user, hot), None, 5, 1_700_000_000)
    store.write_sync(lambda tx: tx.insert_output(rec))
    assert [r.output_id for r in store.read_sync(lambda tx: tx.shared_unspent(0))] == [rec.output_id]
    assert store.read_sync(lambda tx: tx.shared_unspent(1)) == []
    store.write_sync(lambda tx: tx.mark_output_spent(rec.output_id, tx_id=None, milestone_index=6, timestamp=1))
    assert store.read_sync(lambda tx: tx.shared_unspent(0)) == []


def test_version_2_database_learns_the_other_unlocking_addresses_of_its_outputs(tmp_path: Path) -> None:
    path = tmp_path / "wallet.db"
    hot, user = b"\x10" * 32, b"\x11" * 32
    store = WalletStore.open(path, create=True)
    store.write_sync(_two_accounts)
    rec = OutputRecord(b"\x07" * 34, 1, user, _expiring(user, hot), None, 5, 1_700_000_000)
    store.write_sync(lambda tx: tx.insert_output(rec))
    store.close()
    conn = sqlite3.connect(path)  # what a version-2 wallet looked like: one account per output, nothing else
    conn.execute("DROP TABLE output_unlockers")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    reopened = WalletStore.open(path)
    try:
        assert reopened.read_sync(lambda tx: tx.get_meta("schema_version")) == str(SCHEMA_VERSION)
        assert [r.output_id for r in reopened.read_sync(lambda tx: tx.shared_unspent(0))] == [rec.output_id]
    finally:
        reopened.close()


def test_outputs_with_owners_and_account_addresses_keep_accounts_apart(store: WalletStore) -> None:
    hot, user = b"\x10" * 32, b"\x11" * 32
    store.write_sync(_two_accounts)
    recs = [_record(b"\x07" * 34, hot, 0), _record(b"\x08" * 34, user, 1)]
    store.write_sync(lambda tx: [tx.insert_output(r) for r in recs])
    found, owners = store.read_sync(lambda tx: tx.outputs_with_owners([b"\x07" * 34, b"\x08" * 34, b"\x09" * 34]))
    assert set(found) == {b"\x07" * 34, b"\x08" * 34}
    assert {h: (a.account_index, a.key_index) for h, a in owners.items()} == {hot: (0, 0), user: (1, 0)}
    assert set(store.read_sync(lambda tx: tx.account_addresses(0, [hot, user]))) == {hot}
    assert set(store.read_sync(lambda tx: tx.account_addresses(1, [hot, user]))) == {user}
    assert store.read_sync(lambda tx: tx.address_texts([hot, b"\x12" * 32])) == {
        hot: Ed25519Address(hot).to_bech32("tst")
    }
