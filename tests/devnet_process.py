"""A devnet node in a child process, for tests that talk to it over real HTTP.

The official SDK's blocking calls hold the GIL, so an ``iota_sdk`` client cannot reach a devnet served from a
thread of the same Python process; tests that use the SDK (or run scripts as subprocesses) start
``tanglehub devnet`` as a child process with :class:`Devnet` instead.

``Devnet(tmp)`` starts the node on a free port and waits for ``/health``; ``devnet.url`` is its base URL,
``devnet.faucet(address)`` asks its faucet for funds, ``devnet.milestone()`` issues a milestone now,
``devnet.log_text()`` is what it logged so far (handy in assertion messages), and ``devnet.stop()`` ends it
with Ctrl-C (SIGINT), then SIGKILL if it hangs.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tanglehub.devnet.server import free_port

__all__ = ["FAUCET_AMOUNT", "Devnet", "devnet_in"]

FAUCET_AMOUNT = 5_000_000_000
"""Base units a faucet request pays on a :class:`Devnet` (unless told otherwise)."""


class Devnet:
    """A ``tanglehub devnet`` child process on a free loopback port (see the module docstring)."""

    def __init__(
        self,
        tmp: Path,
        *,
        milestone_interval: float = 0.3,
        faucet_amount: int = FAUCET_AMOUNT,
        start_timeout: float = 30.0,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.faucet_amount = faucet_amount
        args = [sys.executable, "-m", "tanglehub.cli.main", "devnet", "--port", str(self.port)]
        args += ["--milestone-interval", str(milestone_interval), "--faucet-amount", str(faucet_amount)]
        args += ["--log-level", "warning"]
        self.log_path = tmp / "devnet.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"the devnet did not start; its log:\n{self.log_text()}")
            time.sleep(0.1)

    def faucet(self, address: str) -> None:
        """Ask the devnet faucet to pay ``address`` (confirmed by a later milestone)."""
        response = httpx.post(f"{self.url}/api/plugins/faucet/v1/enqueue", json={"address": address}, timeout=10)
        response.raise_for_status()

    def milestone(self) -> int:
        """Issue a milestone now; returns its index."""
        response = httpx.post(f"{self.url}/api/devnet/v1/milestones", timeout=10)
        response.raise_for_status()
        return int(response.json()["index"])

    def log_text(self) -> str:
        """What the devnet process wrote to its log so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the node (SIGINT, then SIGKILL after 10 s); safe to call twice."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()


def devnet_in(tmp: Path, *, faucet_amount: int = FAUCET_AMOUNT) -> Iterator[Devnet]:
    """The body of a ``devnet`` fixture: a :class:`Devnet` logging in ``tmp/devnet`` (made here), stopped
    after the test."""
    (tmp / "devnet").mkdir()
    net = Devnet(tmp / "devnet", faucet_amount=faucet_amount)
    yield net
    net.stop()
