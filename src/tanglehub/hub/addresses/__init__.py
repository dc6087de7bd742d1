"""Deposit addresses: the pre-derived pool, assignments, lookups, and the keys boundary (AddressSource)."""

from __future__ import annotations

from tanglehub.hub.addresses.source import AddressSource, SignerAddressSource

__all__ = ["AddressSource", "SignerAddressSource"]
