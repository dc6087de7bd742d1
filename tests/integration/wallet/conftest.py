"""Wallet integration tests use the shared devnet and wallet fixtures."""

from __future__ import annotations

from tests.wallet_fixtures import devnet, wallet_factory  # noqa: F401
