"""Withdrawals: requests, validation, idempotency, states, the ledger entries, and the REST routes."""

from __future__ import annotations

__all__: list[str] = []
