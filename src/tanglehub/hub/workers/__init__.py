"""Background workers: the deposit scanner, the address-pool refill, and :func:`run_workers` running them."""

from __future__ import annotations

from tanglehub.hub.workers.runner import run_workers

__all__ = ["run_workers"]
