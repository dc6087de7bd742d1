""":class:`PayoutHubProcess`: :class:`tests.hub.process.HubProcess` running :mod:`tests.hub.drivers.payouts`
(a hub with an in-process signer, so its batcher pays)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.hub.process import REPO_ROOT, HubProcess

from tanglehub.devnet.server import free_port

__all__ = ["PayoutHubProcess"]


class PayoutHubProcess(HubProcess):
    """A payout-capable hub child process on a free port (waits for ``ready``; see ``HubProcess``)."""

    def __init__(
        self,
        data_dir: Path,
        node_url: str,
        *,
        database_url: str | None = None,
        crash_at: str | None = None,
        approval_threshold: int | None = None,
        api_only: bool = False,
        start_timeout: float = 60.0,
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "tests.hub.drivers.payouts", "--data-dir", str(data_dir), "--node", node_url]
        args += ["--port", str(self.port)]
        if database_url:
            args += ["--database-url", database_url]
        if approval_threshold is not None:
            args += ["--approval-threshold", str(approval_threshold)]
        if api_only:
            args.append("--api-only")
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

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None
