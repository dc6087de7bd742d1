"""The payouts pipeline every on-chain transaction of the hub goes through (withdrawal batches, sweeps,
treasury moves, recoveries): build (:mod:`.build`), sign / submit / track (:mod:`.driver`), confirm or prove
dead (:mod:`.settle`). See :mod:`tanglehub.hub.workers.batcher` for the loop that drives it."""

from __future__ import annotations

__all__: list[str] = []
