""":class:`PayoutHubProcess`: :class:`tests.hub.process.HubProcess` running :mod:`tests.hub.drivers.payouts`
(a hub with an in-process signer, so its batcher pays)."""

from __future__ import annotations

from tests.hub.process import HubProcess

__all__ = ["PayoutHubProcess"]


class PayoutHubProcess(HubProcess):
    """A payout-capable hub child process on a free port (waits for ``ready``; see ``HubProcess``); its own
    options are ``approval_threshold`` and ``api_only``."""

    DRIVER = "tests.hub.drivers.payouts"

    @staticmethod
    def driver_args(*, approval_threshold: int | None = None, api_only: bool = False) -> list[str]:  # type: ignore[override]
        """The payout driver's own arguments."""
        extra = [] if approval_threshold is None else ["--approval-threshold", str(approval_threshold)]
        return [*extra, "--api-only"] if api_only else extra

    def alive(self) -> bool:
        """True while the process runs."""
        return self.proc.poll() is None
