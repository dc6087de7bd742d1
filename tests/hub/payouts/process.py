""":class:`PayoutHubProcess`: :class:`tests.hub.process.HubProcess` running :mod:`tests.hub.drivers.payouts`
(a hub with an in-process signer, so its batcher pays)."""

from __future__ import annotations

from pathlib import Path

from tests.hub.process import HubProcess

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
        extra = [] if approval_threshold is None else ["--approval-threshold", str(approval_threshold)]
        if api_only:
            extra.append("--api-only")
        self._start(
            "tests.hub.drivers.payouts",
            data_dir,
            node_url,
            extra,
            database_url=database_url,
            crash_at=crash_at,
            start_timeout=start_timeout,
        )

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None
