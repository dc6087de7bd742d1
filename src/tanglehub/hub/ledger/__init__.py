"""The ledger domain: service (rules), repository (queries), schemas (API models), routes (thin HTTP)."""

from __future__ import annotations

__all__: list[str] = []
