"""Recoveries of deposits the hub could not credit: back to the sender or to an operator address
(:mod:`.service`, ``POST /v1/recoveries``)."""

from __future__ import annotations

__all__: list[str] = []
