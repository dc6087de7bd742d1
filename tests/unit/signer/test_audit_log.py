"""The audit log is append-only and hash-chained: any change to a stored record is found, and named."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from tests.signer_fixtures import COIN, HOT, foreign_address, make_harness, plain

from tanglehub.keys.slip10 import Bip44
from tanglehub.signer.audit import verify_records
from tanglehub.signer.errors import AuditLogCorrupted, SigningRefused


async def _decisions(tmp_path: Path, count: int) -> Path:
    h = make_harness(tmp_path)
    for n in range(count):
        own = await h.address(HOT, 0, n)
        inp = h.input(plain(1_000_000, own), Bip44(COIN, HOT, 0, n))
        target = own if n % 2 == 0 else foreign_address(b"x")
        with contextlib.suppress(SigningRefused):
            await h.service.sign(h.request([inp], [plain(1_000_000, target)], {"kind": "sweep"}))
    h.service.state.close()
    return tmp_path / "signer.db"


def _records(db: Path) -> list:
    from tanglehub.signer.state import SignerState

    state = SignerState(db)
    try:
        return list(state.audit_records())
    finally:
        state.close()


async def test_every_decision_is_one_linked_record(tmp_path: Path) -> None:
    db = await _decisions(tmp_path, 6)
    records = _records(db)
    # 6 derivations are not decisions; 3 signed + 3 refused are
    assert [r.decision for r in records] == ["signed", "refused"] * 3
    assert verify_records(records) == 6


def test_the_database_refuses_updates_and_deletes_of_audit_records(tmp_path: Path) -> None:
    import asyncio

    db = asyncio.run(_decisions(tmp_path, 2))
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE audit SET reason = '' WHERE seq = 1")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM audit WHERE seq = 2")
    con.close()


def _tamper(db: Path, sql: str) -> None:
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER audit_no_update")
    con.execute("DROP TRIGGER audit_no_delete")
    con.execute(sql)
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("sql", "first_bad"),
    [
        ("UPDATE audit SET summary = replace(summary, 'sweep', 'treasury') WHERE seq = 3", 3),
        ("UPDATE audit SET decision = 'signed' WHERE seq = 2", 2),
        ("UPDATE audit SET at = at + 1 WHERE seq = 5", 5),
        ("DELETE FROM audit WHERE seq = 4", 4),
        ("UPDATE audit SET hash = zeroblob(32) WHERE seq = 1", 1),
    ],
)
async def test_tampering_with_any_record_is_found_and_named(tmp_path: Path, sql: str, first_bad: int) -> None:
    db = await _decisions(tmp_path, 6)
    _tamper(db, sql)
    with pytest.raises(AuditLogCorrupted) as info:
        verify_records(_records(db))
    assert info.value.seq == first_bad


async def test_audit_verify_command_names_the_first_bad_record(tmp_path: Path) -> None:
    db = await _decisions(tmp_path, 4)
    cmd = [sys.executable, "-m", "tanglehub.cli.main", "signer", "audit", "verify", "--data-dir", str(tmp_path)]
    ok = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0] == "audit log intact: 4 record(s)"
    assert ok.stdout.splitlines()[1].startswith("head: record 4, hash 0x")
    _tamper(db, "UPDATE audit SET reason = 'X' WHERE seq = 2")
    bad = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: audit record 2:")
    assert "Traceback" not in bad.stderr


async def test_records_cut_off_the_end_are_found(tmp_path: Path) -> None:
    from tanglehub.signer.audit import verify_log
    from tanglehub.signer.state import SignerState

    db = await _decisions(tmp_path, 6)
    _tamper(db, "DELETE FROM audit WHERE seq >= 5")
    state = SignerState(db)
    try:
        assert verify_records(state.audit_records()) == 4  # the chain alone still links
        with pytest.raises(AuditLogCorrupted) as info:
            verify_log(state.audit_records(), state.audit_head(), state.unaudited_requests())
    finally:
        state.close()
    assert info.value.seq == 5


async def test_a_deleted_record_with_a_rewritten_head_is_still_found_through_the_answers(tmp_path: Path) -> None:
    from tanglehub.signer.audit import verify_log
    from tanglehub.signer.state import SignerState

    db = await _decisions(tmp_path, 4)
    con = sqlite3.connect(db)
    last = con.execute("SELECT seq, hash FROM audit WHERE seq = 3").fetchone()
    con.close()
    _tamper(db, "DELETE FROM audit WHERE seq = 4")
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{last[0]}:{bytes(last[1]).hex()}",))
    con.commit()
    con.close()
    state = SignerState(db)
    try:
        with pytest.raises(AuditLogCorrupted, match="no audit record"):
            verify_log(state.audit_records(), state.audit_head(), state.unaudited_requests())
    finally:
        state.close()
