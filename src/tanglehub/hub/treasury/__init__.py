"""The hot/cold treasury: ceiling moves to cold storage, floor alerts, ``GET /v1/treasury`` (:mod:`.service`),
and the settle hooks of the sweep, treasury and recovery batch kinds (:mod:`.hooks`)."""

from __future__ import annotations

__all__: list[str] = []
