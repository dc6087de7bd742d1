"""A real ``tanglehub signer serve`` child process for the hub tests: initialized with ``signer init`` (its own
fresh mnemonic, never seen by the test), certificates from ``signer certs``, a policy the test writes, served
over mutual TLS on a free port; it can be SIGKILLed and restarted on the same port and state."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tanglehub.devnet import free_port

_CLI = (sys.executable, "-m", "tanglehub.cli.main")
PASSWORD = "signer-test-password"  # a throwaway test vault's password


def _cli(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tanglehub.cli.main", *args], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def policy_text(**limits: int) -> str:
    """A policy for the devnet (accounts 0 and 1) with the given [withdrawals] limits."""
    w = {
        "max_per_withdrawal": 10**15,
        "window_seconds": 86400,
        "max_per_window": 10**16,
        "max_per_address_per_window": 10**16,
    }
    w.update(limits)
    lines = [
        'network_name = "tanglehub-devnet"',
        'bech32_hrp = "tst"',
        "coin_type = 4219",
        "accounts = [0, 1]",
        "[withdrawals]",
        *(f"{k} = {v}" for k, v in w.items()),
    ]
    return "\n".join(lines) + "\n"


class SignerProcess:
    """The signer in ``folder`` (see the module docstring)."""

    def __init__(self, folder: Path, policy: str) -> None:
        self.folder = folder
        self.env = dict(os.environ, TANGLEHUB_SIGNER_PASSWORD=PASSWORD)
        _cli("signer", "init", "--data-dir", str(folder), "--kdf", "interactive", env=self.env)
        _cli("signer", "certs", "--data-dir", str(folder), env=self.env)
        (folder / "policy.toml").write_text(policy, "utf-8")
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def ca(self) -> Path:
        """The CA certificate."""
        return self.folder / "certs" / "ca.pem"

    @property
    def client_cert(self) -> Path:
        """The hub's client certificate."""
        return self.folder / "certs" / "hub-client.pem"

    @property
    def client_key(self) -> Path:
        """The hub's client key."""
        return self.folder / "certs" / "hub-client-key.pem"

    def start(self) -> None:
        """Start serving; returns once the port accepts connections."""
        assert self.process is None, "the signer is running already"
        self.process = subprocess.Popen(
            [*_CLI, "signer", "serve", "--data-dir", str(self.folder), "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.starts += 1
        while True:
            assert self.process.poll() is None, "the signer exited at start"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the process (no clean shutdown) and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)
        self.process = None

    def counted(self) -> dict[str, int]:
        """The signer's durable withdrawal counters: identity -> amount (what its window limits sum)."""
        with sqlite3.connect(self.folder / "signer.db") as db:
            return {str(k): int(a) for k, a in db.execute("SELECT wkey, amount FROM withdrawals")}

    def decisions(self) -> list[tuple[str, str]]:
        """(request id, decision) of every audit record, in order."""
        with sqlite3.connect(self.folder / "signer.db") as db:
            return [(str(r), str(d)) for r, d in db.execute("SELECT request_id, decision FROM audit ORDER BY seq")]
