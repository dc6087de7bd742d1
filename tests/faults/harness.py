"""Kill-and-restart harness: a devnet child process with a data folder, wallet driver child processes that
are killed with SIGKILL, and readers for the truth (the devnet's ledger and blocks) and the wallet's own
state (its SQLite file, read directly, so nothing in the wallet library can tidy it up before we look).

The drivers live in ``tests/faults/drivers/`` and run as ``python -m tests.faults.drivers.<name>`` from the
repository root. A driver prints ``ready`` once its wallet is open and recovered, and one line per finished
step after that.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tanglehub.devnet.server import free_port
from tanglehub.protocol.block import Block
from tanglehub.protocol.payload import TransactionPayload

__all__ = [
    "CALM",
    "PASSWORD",
    "REPO_ROOT",
    "DevnetProcess",
    "Driver",
    "WalletDb",
    "devnet_transactions",
    "faulty_devnet",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "crash test password"
"""The wallets' password (fast KDF; test only)."""
FAUCET_AMOUNT = 1_000_000_000
CALM = {"errorRate": 0.0, "dropRate": 0.0}
"""The devnet's fault settings with no injected errors or drops."""


class DevnetProcess:
    """``tanglehub devnet`` in a child process with a data folder and timed milestones."""

    def __init__(self, tmp: Path, milestone_interval: float = 0.25) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = tmp / "devnet-data"
        args = [sys.executable, "-m", "tanglehub.cli.main", "devnet", "--port", str(self.port)]
        args += ["--data-dir", str(self.data_dir), "--milestone-interval", str(milestone_interval)]
        args += ["--faucet-amount", str(FAUCET_AMOUNT), "--log-level", "warning"]
        self.log_path = tmp / "devnet.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        self.http = httpx.Client(base_url=self.url, timeout=10)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.http.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"the devnet did not start; see {self.log_path}")
            time.sleep(0.1)

    def set_faults(self, settings: dict[str, float | int]) -> None:
        """Set the devnet's injected faults (``errorRate``, ``dropRate``, ``seed``, ...; see ``CALM``)."""
        self.http.post("/api/devnet/v1/faults", json=settings).raise_for_status()

    def faucet(self, address: str) -> None:
        """Enqueue one faucet payment to ``address`` (confirmed by the next timed milestone)."""
        self.http.post("/api/plugins/faucet/v1/enqueue", json={"address": address}).raise_for_status()

    def latest_milestone(self) -> int:
        """The latest confirmed milestone index."""
        return int(self.http.get("/api/core/v2/info").json()["status"]["confirmedMilestone"]["index"])

    def wait_milestones(self, count: int, timeout: float = 20.0) -> None:
        """Wait until ``count`` more milestones were issued."""
        target = self.latest_milestone() + count
        deadline = time.monotonic() + timeout
        while self.latest_milestone() < target:
            if time.monotonic() > deadline:
                raise RuntimeError("the devnet stopped issuing milestones")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the node (Ctrl-C) and close the log."""
        self.http.close()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@dataclass
class Driver:
    """One wallet driver child process (see the module docstring)."""

    module: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    lines: list[str] = field(default_factory=list)
    _buf: bytes = b""

    def start(self) -> Driver:
        """Start the process (stdout is read by :meth:`wait_for`, stderr goes to ``log_path``)."""
        env = dict(os.environ)
        env.update(self.env)
        env["PYTHONUNBUFFERED"] = "1"
        stderr = self.log_path.open("ab") if self.log_path is not None else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module, *self.args],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=REPO_ROOT,
        )
        if not isinstance(stderr, int):
            stderr.close()
        return self

    def _read(self, timeout: float) -> bool:
        assert self.proc is not None
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], max(timeout, 0.0))
        if not ready:
            return True
        chunk = os.read(fd, 65536)
        if not chunk:
            return False
        self._buf += chunk
        *done, self._buf = self._buf.split(b"\n")
        self.lines += [d.decode() for d in done]
        return True

    def wait_for(self, prefix: str, timeout: float = 30.0) -> str | None:
        """The first new stdout line starting with ``prefix``; None if the process ended first."""
        seen = len(self.lines)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines[seen:]:
                if line.startswith(prefix):
                    return line
            seen = len(self.lines)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"driver printed no {prefix!r} line in {timeout} s: {self.lines[-5:]}")
            if not self._read(min(left, 0.2)):
                return None

    def kill(self) -> None:
        """SIGKILL the process and reap it."""
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self._drain()

    def wait_exit(self, timeout: float = 60.0) -> int:
        """Wait for the process to end by itself; its exit status (negative = killed by that signal)."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while self._read(min(0.2, max(deadline - time.monotonic(), 0))):
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"driver did not end in {timeout} s: {self.lines[-5:]}")
        code = self.proc.wait(10)
        self._drain()
        return code

    def _drain(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        rest = self.proc.stdout.read()
        self.proc.stdout.close()
        if rest:
            self._buf += rest
        if self._buf:
            self.lines += [d.decode() for d in self._buf.split(b"\n") if d]
            self._buf = b""


class WalletDb:
    """Read-only view of a wallet's ``wallet.db`` (plain sqlite3: the state exactly as the crash left it)."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def rows(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        """The rows of one query."""
        return list(self.conn.execute(sql, args).fetchall())

    def events(self, kind: str) -> list[dict[str, object]]:
        """Payloads of every event of ``kind`` in log order."""
        rows = self.rows("SELECT payload FROM events WHERE kind = ? ORDER BY seq", kind)
        return [json.loads(str(p)) for (p,) in rows]

    def event_id_counts(self, kind: str) -> Counter[str]:
        """How often each output id appears in events of ``kind``."""
        return Counter(str(e["outputId"]) for e in self.events(kind))

    def outputs(self) -> dict[str, tuple[int, bool]]:
        """Output id (0x hex) -> (amount, spent) of every stored output."""
        return {
            "0x" + bytes(oid).hex(): (int(amount), bool(spent))
            for oid, amount, spent in self.rows("SELECT output_id, amount, spent FROM outputs")
        }

    def transactions(self) -> dict[bytes, tuple[str, TransactionPayload]]:
        """Transaction id -> (state, payload) of every stored transaction."""
        return {
            bytes(tx_id): (str(state), TransactionPayload.from_bytes(bytes(payload)))
            for tx_id, state, payload in self.rows("SELECT tx_id, state, payload FROM transactions")
        }

    def reservations(self) -> dict[bytes, bytes]:
        """Reserved output id -> reservation key (essence hash or transaction id)."""
        return {bytes(o): bytes(t) for o, t in self.rows("SELECT output_id, tx_id FROM reservations")}

    def check_consistent(self) -> None:
        """Invariants that must hold at ANY crash point: every output id has exactly one NewOutput event,
        every spent one exactly one SpentOutput event, and the balance-change chain ends at the stored sum."""
        outputs = self.outputs()
        new = self.event_id_counts("NewOutput")
        spent = self.event_id_counts("SpentOutput")
        assert {k for k, n in new.items() if n > 1} == set(), "an output was announced twice"
        assert {k for k, n in spent.items() if n > 1} == set(), "an output was reported spent twice"
        assert set(new) == set(outputs), "NewOutput events and stored outputs differ"
        spent_ids = {k for k, (_, s) in outputs.items() if s}
        assert set(spent) == spent_ids, "SpentOutput events and spent outputs differ"
        total = 0
        for change in self.events("BalanceChange"):
            assert int(str(change["before"])) == total, "a balance change does not start where the last ended"
            total = int(str(change["after"]))
        assert total == sum(a for a, s in outputs.values() if not s), "the balance log disagrees with the outputs"


def faulty_devnet(tmp: Path) -> Iterator[DevnetProcess]:
    """The body of a module-scoped ``devnet`` fixture for tests that inject faults: a :class:`DevnetProcess`
    in ``tmp``, calmed (``CALM``) and stopped afterwards."""
    net = DevnetProcess(tmp)
    yield net
    net.http.post("/api/devnet/v1/faults", json=CALM)
    net.stop()


def devnet_transactions(data_dir: Path) -> list[tuple[bytes, TransactionPayload, int]]:
    """(block id, transaction payload, inclusion state) of every transaction block the devnet accepted, read
    from its store (stop the devnet first: it writes blocks at milestones). States: 0 undecided or no
    transaction, 1 included, 2 conflicting (``tanglehub.devnet.tangle``)."""
    conn = sqlite3.connect(f"file:{data_dir / 'devnet.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute("SELECT id, data, state FROM blocks ORDER BY seq").fetchall()
    finally:
        conn.close()
    found = []
    for block_id, data, state in rows:
        payload = Block.from_bytes(bytes(data)).payload
        if isinstance(payload, TransactionPayload):
            found.append((bytes(block_id), payload, int(state)))
    return found
