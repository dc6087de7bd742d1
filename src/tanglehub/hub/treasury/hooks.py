"""Register the settle hooks of the batch kinds TREASURY owns (``sweep``, ``treasury``, ``recovery``).

:func:`register_all` must run in every process that settles batches (the batcher's): the hooks book the
treasury and recovery journal entries and append the sweep/treasury/recovery events inside the transaction
that confirms, kills or refuses a batch. It is idempotent.
"""

from __future__ import annotations

from tanglehub.hub.payouts.settle import BatchHooks, register_hooks
from tanglehub.hub.recoveries import service as recoveries
from tanglehub.hub.sweeps import service as sweeps
from tanglehub.hub.treasury import service as treasury

__all__ = ["register_all"]


def register_all() -> None:
    """Register the hooks of ``sweep``, ``treasury`` and ``recovery`` batches (replaces earlier ones)."""
    register_hooks("sweep", BatchHooks(sweeps.on_confirmed, sweeps.on_dead, sweeps.on_refused))
    register_hooks("treasury", BatchHooks(treasury.on_confirmed, treasury.on_dead, treasury.on_refused))
    register_hooks("recovery", BatchHooks(recoveries.on_confirmed, recoveries.on_dead, recoveries.on_refused))
