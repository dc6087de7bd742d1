"""A hub child process (``python -m tests.hub.drivers.serve``) for tests over real HTTP.

``HubProcess(data_dir, node_url, database_url=None, crash_at=None)`` starts it on a free port and waits for
its ``ready`` line; ``.url``, ``.token`` (admin key), ``.client()`` (httpx with the key), ``.kill()`` (SIGKILL),
``.stop()`` (SIGTERM), ``.crashed`` (the process printed ``crash <point>``), ``.log()``.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import httpx

from tanglehub.devnet.server import free_port

__all__ = ["REPO_ROOT", "HubProcess"]

REPO_ROOT = Path(__file__).resolve().parents[2]


class HubProcess:
    """See the module docstring. A subclass runs another driver: it sets :attr:`DRIVER` and its own
    :meth:`driver_args` (the keyword options past the common ones go there)."""

    DRIVER: ClassVar[str] = "tests.hub.drivers.serve"
    """The module run as ``python -m DRIVER``."""

    def __init__(
        self,
        data_dir: Path,
        node_url: str,
        *,
        database_url: str | None = None,
        crash_at: str | None = None,
        start_timeout: float = 60.0,
        **options: Any,
    ) -> None:
        """Run the driver on a free port with :meth:`driver_args` of ``options``; wait for its ``ready`` line."""
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", self.DRIVER, "--data-dir", str(data_dir), "--node", node_url]
        args += ["--port", str(self.port), *self.driver_args(**options)]
        if database_url:
            args += ["--database-url", database_url]
        env = dict(os.environ)
        env.pop("TANGLEHUB_HUB_CRASH_AT", None)
        if crash_at:
            env["TANGLEHUB_HUB_CRASH_AT"] = crash_at
        data_dir.mkdir(parents=True, exist_ok=True)
        self._stderr = (data_dir / "stderr.log").open("ab")
        self.proc = subprocess.Popen(
            args, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=self._stderr, text=True
        )
        self.lines: list[str] = []
        deadline = time.monotonic() + start_timeout
        while "ready" not in self.lines:
            if time.monotonic() > deadline or (not self._read(0.2) and self.proc.poll() is not None):
                self.kill()
                raise RuntimeError(f"the hub did not start: {self.lines}\n{self.log()}")

    @staticmethod
    def driver_args(*, min_deposit: int = 0, workers_only: bool = False) -> list[str]:
        """The serve driver's own arguments."""
        return ["--min-deposit", str(min_deposit)] + (["--workers-only"] if workers_only else [])

    def _read(self, timeout: float) -> bool:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return False
        line = self.proc.stdout.readline()
        if not line:
            return False
        self.lines.append(line.strip())
        return True

    @property
    def token(self) -> str:
        """The admin API key the driver wrote."""
        return (self.data_dir / "admin.key").read_text().strip()

    def client(self) -> httpx.Client:
        """A blocking client with the admin key."""
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30)

    @property
    def crashed(self) -> bool:
        """True once the process announced a crash point (reads what it printed so far)."""
        while self._read(0):
            pass
        return any(line.startswith("crash ") for line in self.lines)

    def wait_exit(self, timeout: float = 30.0) -> int | None:
        """Wait for the process to end; its return code (None if still running)."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL (safe twice)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self) -> None:
        self._stderr.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def stop(self) -> None:
        """SIGTERM and wait (SIGKILL after 20 s)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            if self.wait_exit(20) is None:
                self.proc.kill()
                self.proc.wait()
        self._close()

    def log(self) -> str:
        """What the process wrote on stderr."""
        path = self.data_dir / "stderr.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""
